/* cardsim-main.c — motcua-cardsim: the virtual CCCD behind vsmartcard's
 * vpcd reader driver, and a small PC/SC readiness probe for the stack
 * script.
 *
 * vpcd protocol: every message is a 2-byte big-endian length and the
 * bytes.  A 1-byte message from the driver is a control code (0 power
 * off, 1 power on, 2 reset, 4 ATR request, answered with the ATR); a longer
 * one is a command APDU, answered with the response APDU. */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <PCSC/winscard.h>
#include <PCSC/wintypes.h>
#include <eac/eac.h>
#include "cardsim.h"
#include "motcua-config.h"

#define BUF_MAX (65536 + 16)

static void
sleep_ms (long ms)
{
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
  while (nanosleep (&ts, &ts) != 0 && errno == EINTR)
    ;
}

static int
read_full (int fd, uint8_t *buf, size_t n)
{
  size_t got = 0;
  while (got < n)
    {
      /* Debian's vpcd writes the length and the APDU separately: ACK
       * immediately or each APDU waits for the delayed ACK (~40 ms). */
      int one = 1;
      setsockopt (fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
      ssize_t r = recv (fd, buf + got, n - got, 0);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        return -1;
      got += (size_t) r;
    }
  return 0;
}

static int
send_msg (int fd, const uint8_t *buf, size_t n)
{
  uint8_t *m = malloc (n + 2);
  if (!m)
    return -1;
  m[0] = (uint8_t) (n >> 8);
  m[1] = (uint8_t) n;
  memcpy (m + 2, buf, n);
  size_t off = 0;
  int rc = 0;
  while (off < n + 2)
    {
      ssize_t w = send (fd, m + off, n + 2 - off, MSG_NOSIGNAL);
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        {
          rc = -1;
          break;
        }
      off += (size_t) w;
    }
  free (m);
  return rc;
}

/* Connects to vpcd, retrying for up to timeout_ms while the driver is not
 * listening yet. */
static int
connect_vpcd (const char *host, const char *port, long timeout_ms)
{
  struct addrinfo hints = { 0 }, *res = NULL;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo (host, port, &hints, &res) != 0)
    return -1;
  int fd = -1;
  for (long waited = 0; waited <= timeout_ms; waited += 50)
    {
      fd = socket (res->ai_family, res->ai_socktype, res->ai_protocol);
      if (fd >= 0 && connect (fd, res->ai_addr, res->ai_addrlen) == 0)
        break;
      if (fd >= 0)
        close (fd);
      fd = -1;
      sleep_ms (50);
    }
  freeaddrinfo (res);
  if (fd >= 0)
    {
      int one = 1;
      setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
  return fd;
}

static int trace;

static void
trace_hex (const char *dir, const uint8_t *b, size_t n)
{
  if (!trace)
    return;
  fprintf (stderr, "%s ", dir);
  for (size_t i = 0; i < n; i++)
    fprintf (stderr, "%02X", b[i]);
  fputc ('\n', stderr);
}

static int
serve (cardsim *card, int fd, long remove_after, long latency_ms)
{
  uint8_t *in = malloc (BUF_MAX), *out = malloc (BUF_MAX);
  long apdus = 0;
  int rc = 0;
  if (!in || !out)
    rc = 1;
  while (rc == 0)
    {
      uint8_t hdr[2];
      if (read_full (fd, hdr, 2) != 0)
        break;                           /* vpcd went away */
      size_t n = (size_t) (hdr[0] << 8 | hdr[1]);
      if (n == 0 || read_full (fd, in, n) != 0)
        break;
      if (n == 1)
        {
          if (trace)
            fprintf (stderr, "control %u\n", in[0]);
          switch (in[0])
            {
            case 0: case 1: case 2:
              cardsim_reset (card);
              break;
            case 4:
              {
                size_t atr_len = cardsim_atr (card, out, BUF_MAX);
                if (send_msg (fd, out, atr_len) != 0)
                  rc = 1;
              }
              break;
            default:
              break;
            }
          continue;
        }
      if (latency_ms > 0)
        sleep_ms (latency_ms);
      trace_hex (">>", in, n);
      size_t r = cardsim_process (card, in, n, out, BUF_MAX);
      trace_hex ("<<", out, r);
      if (send_msg (fd, out, r) != 0)
        rc = 1;
      if (remove_after > 0 && ++apdus >= remove_after)
        {
          fprintf (stderr, "motcua-cardsim: card removed after %ld APDUs\n", apdus);
          break;
        }
    }
  free (in);
  free (out);
  return rc;
}

/* --wait-card / --wait-no-card: polls PC/SC (PCSCLITE_CSOCK_NAME names
 * the daemon) until a reader whose name starts with prefix has a card
 * (prints its name), or until no such reader has one.  0 on success, 1 on
 * timeout. */
static int
wait_card (const char *prefix, int want_card, long timeout_ms, const char *event_file,
           long after_event)
{
  for (long waited = 0; waited <= timeout_ms; waited += 50)
    {
      SCARDCONTEXT ctx;
      int with_card = 0, ok = 0;
      long event = -1;
      char name[4096] = "";
      if (SCardEstablishContext (SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx) == SCARD_S_SUCCESS)
        {
          char readers[4096];
          DWORD len = sizeof readers;
          LONG rv = SCardListReaders (ctx, NULL, readers, &len);
          ok = rv == SCARD_S_SUCCESS || rv == SCARD_E_NO_READERS_AVAILABLE;
          if (rv == SCARD_S_SUCCESS)
            for (char *r = readers; *r && ok; r += strlen (r) + 1)
              {
                if (strncmp (r, prefix, strlen (prefix)) != 0)
                  continue;
                SCARD_READERSTATE st = { 0 };
                st.szReader = r;
                st.dwCurrentState = SCARD_STATE_UNAWARE;
                if (SCardGetStatusChange (ctx, 0, &st, 1) != SCARD_S_SUCCESS)
                  ok = 0;
                /* A mute card (power-up failed) still counts as present
                 * when waiting for removal: pcscd must see the reader
                 * empty, or it never powers up the next card. */
                else
                  {
                    /* pcscd counts the insertions and removals it saw in
                     * the high 16 bits */
                    long ev = (long) ((st.dwEventState >> 16) & 0xFFFF);
                    if (event < 0)
                      event = ev;
                    if (!want_card && after_event >= 0 && ev == after_event)
                      with_card++;   /* pcscd has not seen the removal yet */
                    else if ((st.dwEventState & SCARD_STATE_PRESENT)
                             && (!want_card || !(st.dwEventState & SCARD_STATE_MUTE)))
                      {
                        if (!with_card)
                          {
                            snprintf (name, sizeof name, "%s", r);
                            event = ev;
                          }
                        with_card++;
                      }
                  }
              }
          SCardReleaseContext (ctx);
        }
      if (ok && (want_card ? with_card > 0 : with_card == 0))
        {
          if (want_card)
            printf ("%s\n", name);
          if (want_card && event_file)
            {
              FILE *f = fopen (event_file, "w");
              if (f)
                {
                  fprintf (f, "%ld\n", event);
                  fclose (f);
                }
            }
          return 0;
        }
      sleep_ms (50);
    }
  fprintf (stderr, "motcua-cardsim: timed out waiting for %s\n",
           want_card ? "the card" : "the card to go");
  return 1;
}

static void
usage (FILE *f)
{
  fprintf (f,
    "usage: motcua-cardsim --port PORT [--host HOST] [--profile FILE] [--pki DIR]\n"
    "         [--remove-after N] [--corrupt-mac] [--tamper-dg N] [--rogue-csca]\n"
    "         [--expired-ds] [--no-extended] [--latency-ms N] [--bac-only] [--trace]\n"
    "       motcua-cardsim --wait-card [--reader PREFIX] [--timeout-ms N] [--event-file F]\n"
    "       motcua-cardsim --wait-no-card [--reader PREFIX] [--timeout-ms N] [--after-event E]\n"
    "  --event-file: where --wait-card writes the reader's pcscd event counter;\n"
    "  --after-event: --wait-no-card also waits until that counter moved on\n"
    "  (pcscd saw the removal: it only powers up a new card after that)\n"
    "defaults: --host 127.0.0.1, --profile %s/tests/cardsim/profiles/cccd-2021.conf,\n"
    "          --pki %s/certs/test\n", MOTCUA_SOURCE_ROOT, MOTCUA_SOURCE_ROOT);
}

int
main (int argc, char **argv)
{
  enum { O_PORT = 256, O_HOST, O_PROFILE, O_PKI, O_REMOVE, O_MAC, O_TAMPER, O_ROGUE,
         O_EXPIRED, O_NOEXT, O_LAT, O_BAC, O_WAIT, O_WAITNO, O_READER, O_TIMEOUT, O_TRACE, O_EVFILE, O_AFTER, O_HELP };
  static const struct option opts[] = {
    { "port", required_argument, 0, O_PORT }, { "host", required_argument, 0, O_HOST },
    { "profile", required_argument, 0, O_PROFILE }, { "pki", required_argument, 0, O_PKI },
    { "remove-after", required_argument, 0, O_REMOVE }, { "corrupt-mac", no_argument, 0, O_MAC },
    { "tamper-dg", required_argument, 0, O_TAMPER }, { "rogue-csca", no_argument, 0, O_ROGUE },
    { "expired-ds", no_argument, 0, O_EXPIRED }, { "no-extended", no_argument, 0, O_NOEXT },
    { "latency-ms", required_argument, 0, O_LAT }, { "bac-only", no_argument, 0, O_BAC },
    { "wait-card", no_argument, 0, O_WAIT }, { "wait-no-card", no_argument, 0, O_WAITNO },
    { "reader", required_argument, 0, O_READER }, { "timeout-ms", required_argument, 0, O_TIMEOUT },
    { "trace", no_argument, 0, O_TRACE }, { "event-file", required_argument, 0, O_EVFILE },
    { "after-event", required_argument, 0, O_AFTER }, { "help", no_argument, 0, O_HELP }, { 0, 0, 0, 0 }
  };
  const char *port = NULL, *host = "127.0.0.1", *reader = "Virtual PCD";
  const char *profile = MOTCUA_SOURCE_ROOT "/tests/cardsim/profiles/cccd-2021.conf";
  const char *pki = MOTCUA_SOURCE_ROOT "/certs/test";
  long remove_after = 0, latency = 0, timeout = 10000, after_event = -1;
  const char *event_file = NULL;
  int wait = 0;
  cardsim_faults f = { 0 };
  int o;
  while ((o = getopt_long (argc, argv, "", opts, NULL)) != -1)
    switch (o)
      {
      case O_PORT: port = optarg; break;
      case O_HOST: host = optarg; break;
      case O_PROFILE: profile = optarg; break;
      case O_PKI: pki = optarg; break;
      case O_REMOVE: remove_after = atol (optarg); break;
      case O_MAC: f.corrupt_mac = 1; break;
      case O_TAMPER: f.tamper_dg = atoi (optarg); break;
      case O_ROGUE: f.rogue_csca = 1; break;
      case O_EXPIRED: f.expired_ds = 1; break;
      case O_NOEXT: f.no_extended = 1; break;
      case O_LAT: latency = atol (optarg); break;
      case O_BAC: f.bac_only = 1; break;
      case O_WAIT: wait = 1; break;
      case O_WAITNO: wait = 2; break;
      case O_READER: reader = optarg; break;
      case O_TIMEOUT: timeout = atol (optarg); break;
      case O_TRACE: trace = 1; break;
      case O_EVFILE: event_file = optarg; break;
      case O_AFTER: after_event = atol (optarg); break;
      case O_HELP: usage (stdout); return 0;
      default: usage (stderr); return 2;
      }
  if (wait)
    return wait_card (reader, wait == 1, timeout, event_file, after_event);
  if (!port)
    {
      usage (stderr);
      return 2;
    }
  EAC_init ();
  cardsim *card = NULL;
  char *err = NULL;
  if (cardsim_new (profile, pki, &f, &card, &err) != 0)
    {
      fprintf (stderr, "motcua-cardsim: %s\n", err ? err : "cannot build the card");
      free (err);
      return 1;
    }
  int fd = connect_vpcd (host, port, timeout);
  if (fd < 0)
    {
      fprintf (stderr, "motcua-cardsim: cannot connect to vpcd at %s:%s\n", host, port);
      cardsim_free (card);
      return 1;
    }
  int rc = serve (card, fd, remove_after, latency);
  close (fd);
  cardsim_free (card);
  EAC_cleanup ();
  return rc;
}
