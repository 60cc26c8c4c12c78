/* test-readers.c — reader listing, events, cancel and pcscd restarts,
 * through a real pcscd with vpcd (tests/integration/pcsc-env.sh).
 *
 * The card is a minimal fake speaking vpcd's protocol (2-byte big-endian
 * length, then the message; 1-byte messages are control codes: 0 power
 * off, 1 power on, 2 reset, 4 ATR request).  It answers every APDU with
 * 6D00.  Connecting it to vpcd's port inserts the card, closing removes it.
 *
 * Skips (exit 77) unless root with pcscd and vpcd installed.  Every wait is
 * bounded; sleeps only pace polling loops.
 *
 * Reader hot-plug: pcscd 1.9.9 as built by Debian (libudev) receives
 * SIGUSR1 / `pcscd --hotplug` but does not re-read reader.conf, and vpcd's
 * two slots always exist; so readers cannot be added or removed at run
 * time here.  What is tested instead: a restart with another config (more
 * readers) is seen as MC_EVENT_SERVICE_RESTARTED and the new readers list.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stddef.h>
#include <cmocka.h>

#include "motcua-card.h"
#include "reader.h"

#define WAIT_MS 10000          /* upper bound for anything to happen */
#define READER0 "Virtual PCD 00 00"
#define READER1 "Virtual PCD 00 01"

static const uint8_t fake_atr[] = { 0x3B, 0x80, 0x80, 0x01, 0x01 };

static char state_dir[64];
static int vpcd_port;

/* ---------------------------------------------------------------- stack */

static int
env_sh (const char *fmt, ...)
{
  char args[512], cmd[1024];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (args, sizeof args, fmt, ap);
  va_end (ap);
  snprintf (cmd, sizeof cmd, "sh '%s' %s", MC_PCSC_ENV_SH, args);
  int rc = system (cmd);
  return WIFEXITED (rc) ? WEXITSTATUS (rc) : -1;
}

static int
port_free (int port)
{
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) port) };
  int ok = fd >= 0 && bind (fd, (struct sockaddr *) &a, sizeof a) == 0;
  if (fd >= 0)
    close (fd);
  return ok;
}

/* A port P with P and P+1 free (vpcd's two slots). */
static int
pick_ports (void)
{
  for (int i = 0; i < 50; i++)
    {
      int fd = socket (AF_INET, SOCK_STREAM, 0);
      struct sockaddr_in a = { .sin_family = AF_INET };
      socklen_t l = sizeof a;
      if (fd < 0 || bind (fd, (struct sockaddr *) &a, sizeof a) != 0
          || getsockname (fd, (struct sockaddr *) &a, &l) != 0)
        {
          if (fd >= 0)
            close (fd);
          continue;
        }
      close (fd);
      int p = ntohs (a.sin_port);
      if (p < 65000 && port_free (p) && port_free (p + 1))
        return p;
    }
  return 0;
}

static void
stack_stop (void)
{
  if (state_dir[0])
    env_sh ("stop '%s'", state_dir);
}

static int
stack_start (void)
{
  return env_sh ("start '%s' %d", state_dir, vpcd_port);
}

static long
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
pause_ms (long ms)
{
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
  nanosleep (&ts, NULL);
}

/* ---------------------------------------------------------------- fake card */

typedef struct {
  int fd;
  pthread_t thread;
  int running;
} fake_card;

static int
read_full (int fd, uint8_t *buf, size_t n)
{
  size_t got = 0;
  while (got < n)
    {
      int one = 1;
      setsockopt (fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
      ssize_t r = read (fd, buf + got, n - got);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        return -1;
      got += (size_t) r;
    }
  return 0;
}

static int
send_msg (int fd, const uint8_t *data, size_t n)
{
  uint8_t buf[2 + 64];
  buf[0] = (uint8_t) (n >> 8);
  buf[1] = (uint8_t) n;
  memcpy (buf + 2, data, n);
  return write (fd, buf, n + 2) == (ssize_t) (n + 2) ? 0 : -1;
}

static void *
fake_card_main (void *arg)
{
  fake_card *c = arg;
  static uint8_t msg[65545];
  uint8_t hdr[2];
  while (read_full (c->fd, hdr, 2) == 0)
    {
      size_t n = ((size_t) hdr[0] << 8) | hdr[1];
      if (n == 0 || read_full (c->fd, msg, n) != 0)
        break;
      if (n == 1)
        {
          if (msg[0] == 4 && send_msg (c->fd, fake_atr, sizeof fake_atr) != 0)
            break;
          continue;     /* power on/off and reset need no answer */
        }
      static const uint8_t ins_not_supported[] = { 0x6D, 0x00 };
      if (send_msg (c->fd, ins_not_supported, 2) != 0)
        break;
    }
  return NULL;
}

/* Inserts a card into slot (0 or 1) of the running vpcd. */
static void
fake_card_insert (fake_card *c, int slot)
{
  memset (c, 0, sizeof *c);
  long end = now_ms () + WAIT_MS;
  for (;;)
    {
      c->fd = socket (AF_INET, SOCK_STREAM, 0);
      assert_true (c->fd >= 0);
      struct sockaddr_in a = { .sin_family = AF_INET,
                               .sin_port = htons ((uint16_t) (vpcd_port + slot)),
                               .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
      if (connect (c->fd, (struct sockaddr *) &a, sizeof a) == 0)
        break;
      close (c->fd);
      assert_true (now_ms () < end);   /* vpcd never listened */
      pause_ms (50);
    }
  int one = 1;
  setsockopt (c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  assert_int_equal (pthread_create (&c->thread, NULL, fake_card_main, c), 0);
  c->running = 1;
}

static void
fake_card_remove (fake_card *c)
{
  if (!c->running)
    return;
  shutdown (c->fd, SHUT_RDWR);
  pthread_join (c->thread, NULL);
  close (c->fd);
  c->running = 0;
}

/* ---------------------------------------------------------------- helpers */

static const mc_reader *
find_reader (const mc_reader *r, size_t n, const char *name)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (r[i].name, name) == 0)
      return &r[i];
  return NULL;
}

/* Like find_reader, but a missing reader fails the test. */
static const mc_reader *
need_reader (const mc_reader *r, size_t n, const char *name)
{
  static const mc_reader none;
  const mc_reader *x = find_reader (r, n, name);
  if (!x)
    {
      fail_msg ("reader %s not listed", name);
      return &none;
    }
  return x;
}

/* Polls the listing until reader shows (or not) a card; returns 1 on
 * success, 0 after WAIT_MS. */
static int
poll_card (mc_context *ctx, const char *reader, int present)
{
  long end = now_ms () + WAIT_MS;
  do
    {
      mc_reader *r = NULL;
      size_t n = 0;
      if (mc_context_list_readers (ctx, &r, &n) == MC_OK)
        {
          const mc_reader *x = find_reader (r, n, reader);
          int ok = x && x->card_present == present;
          mc_readers_free (r, n);
          if (ok)
            return 1;
        }
      pause_ms (50);
    }
  while (now_ms () < end);
  return 0;
}

/* A context on a stack whose readers are empty: cards removed by an
 * earlier test may still be seen by pcscd for a poll period. */
static mc_context *
new_ctx (void)
{
  mc_context *ctx = NULL;
  assert_int_equal (mc_context_new (&ctx), MC_OK);
  assert_non_null (ctx);
  assert_true (poll_card (ctx, READER0, 0));
  assert_true (poll_card (ctx, READER1, 0));
  mc_event ev;
  int n = 0;
  while (mc_context_wait_event (ctx, 0, &ev) == MC_OK)
    assert_true (++n < 10);   /* removals the context saw happen */
  return ctx;
}

/* ---------------------------------------------------------------- tests */

static void
test_list (void **state)
{
  (void) state;
  mc_context *ctx = new_ctx ();
  assert_true (poll_card (ctx, READER0, 0));

  mc_reader *r = NULL;
  size_t n = 0;
  assert_int_equal (mc_context_list_readers (ctx, &r, &n), MC_OK);
  assert_int_equal (n, 2);
  assert_non_null (find_reader (r, n, READER0));
  assert_non_null (find_reader (r, n, READER1));
  for (size_t i = 0; i < n; i++)
    {
      assert_false (r[i].card_present);
      assert_int_equal (r[i].atr_len, 0);
    }
  mc_readers_free (r, n);

  fake_card card;
  fake_card_insert (&card, 0);
  assert_true (poll_card (ctx, READER0, 1));
  assert_int_equal (mc_context_list_readers (ctx, &r, &n), MC_OK);
  const mc_reader *x = need_reader (r, n, READER0);
  assert_true (x->card_present);
  assert_false (x->card_in_use);
  assert_int_equal (x->atr_len, sizeof fake_atr);
  assert_memory_equal (x->atr, fake_atr, sizeof fake_atr);
  x = need_reader (r, n, READER1);
  assert_false (x->card_present);
  mc_readers_free (r, n);

  fake_card_remove (&card);
  assert_true (poll_card (ctx, READER0, 0));
  mc_context_free (ctx);
}

static void
test_connect (void **state)
{
  (void) state;
  mc_context *ctx = new_ctx ();
  mc_pcsc_card *pc = NULL;
  assert_true (poll_card (ctx, READER0, 0));
  assert_int_equal (mc_pcsc_connect (ctx, NULL, &pc), MC_ERR_NO_CARD);
  assert_null (pc);
  assert_int_equal (mc_pcsc_connect (ctx, "No Such Reader 00 00", &pc), MC_ERR_NO_READER);
  assert_int_equal (mc_pcsc_connect (ctx, READER1, &pc), MC_ERR_NO_CARD);

  fake_card card;
  fake_card_insert (&card, 0);
  assert_true (poll_card (ctx, READER0, 1));
  assert_int_equal (mc_pcsc_connect (ctx, NULL, &pc), MC_OK);
  assert_string_equal (mc_pcsc_reader_name (pc), READER0);
  size_t alen = 0;
  const uint8_t *atr = mc_pcsc_atr (pc, &alen);
  assert_int_equal (alen, sizeof fake_atr);
  assert_memory_equal (atr, fake_atr, sizeof fake_atr);
  /* vpcd has no IFDHControl: the reader does not tell. */
  assert_int_equal (mc_pcsc_reader_max_apdu (pc), 0);

  static const uint8_t get_challenge[] = { 0x00, 0x84, 0x00, 0x00, 0x08 };
  uint8_t resp[258];
  size_t rlen = sizeof resp;
  assert_int_equal (mc_pcsc_transmit (pc, get_challenge, sizeof get_challenge, resp, &rlen), MC_OK);
  assert_int_equal (rlen, 2);
  assert_int_equal (resp[0], 0x6D);
  assert_int_equal (resp[1], 0x00);

  /* Exclusive: the listing shows it in use, a second connection fails. */
  mc_reader *r = NULL;
  size_t n = 0;
  assert_int_equal (mc_context_list_readers (ctx, &r, &n), MC_OK);
  const mc_reader *x = need_reader (r, n, READER0);
  assert_true (x->card_in_use);
  mc_readers_free (r, n);

  assert_int_equal (mc_pcsc_reset (pc), MC_OK);
  rlen = sizeof resp;
  assert_int_equal (mc_pcsc_transmit (pc, get_challenge, sizeof get_challenge, resp, &rlen), MC_OK);

  /* The card leaves during the session. */
  fake_card_remove (&card);
  assert_true (poll_card (ctx, READER0, 0));
  rlen = sizeof resp;
  assert_int_equal (mc_pcsc_transmit (pc, get_challenge, sizeof get_challenge, resp, &rlen),
                    MC_ERR_CARD_REMOVED);
  mc_pcsc_disconnect (pc, 1);
  mc_context_free (ctx);
}

static void
test_wait_insert_remove (void **state)
{
  (void) state;
  mc_context *ctx = new_ctx ();
  assert_true (poll_card (ctx, READER0, 0));
  mc_event ev;
  /* Nothing happened since the context was made. */
  assert_int_equal (mc_context_wait_event (ctx, 0, &ev), MC_ERR_TIMEOUT);

  fake_card card;
  fake_card_insert (&card, 0);
  assert_int_equal (mc_context_wait_event (ctx, WAIT_MS, &ev), MC_OK);
  assert_int_equal (ev.kind, MC_EVENT_CARD_INSERTED);
  assert_string_equal (ev.reader, READER0);

  fake_card_remove (&card);
  assert_int_equal (mc_context_wait_event (ctx, WAIT_MS, &ev), MC_OK);
  assert_int_equal (ev.kind, MC_EVENT_CARD_REMOVED);
  assert_string_equal (ev.reader, READER0);
  assert_int_equal (mc_context_wait_event (ctx, 0, &ev), MC_ERR_TIMEOUT);
  mc_context_free (ctx);
}

/* Both cards are in before the wait: one status change reports both, and
 * the second must come from the queue, not be lost. */
static void
test_wait_two_cards (void **state)
{
  (void) state;
  mc_context *ctx = new_ctx ();
  fake_card a, b;
  fake_card_insert (&a, 0);
  fake_card_insert (&b, 1);
  assert_true (poll_card (ctx, READER0, 1));
  assert_true (poll_card (ctx, READER1, 1));

  int seen0 = 0, seen1 = 0;
  for (int i = 0; i < 2; i++)
    {
      mc_event ev;
      assert_int_equal (mc_context_wait_event (ctx, WAIT_MS, &ev), MC_OK);
      assert_int_equal (ev.kind, MC_EVENT_CARD_INSERTED);
      seen0 += strcmp (ev.reader, READER0) == 0;
      seen1 += strcmp (ev.reader, READER1) == 0;
    }
  assert_int_equal (seen0, 1);
  assert_int_equal (seen1, 1);

  fake_card_remove (&a);
  fake_card_remove (&b);
  assert_true (poll_card (ctx, READER0, 0));
  assert_true (poll_card (ctx, READER1, 0));
  seen0 = seen1 = 0;
  for (int i = 0; i < 2; i++)
    {
      mc_event ev;
      assert_int_equal (mc_context_wait_event (ctx, WAIT_MS, &ev), MC_OK);
      assert_int_equal (ev.kind, MC_EVENT_CARD_REMOVED);
      seen0 += strcmp (ev.reader, READER0) == 0;
      seen1 += strcmp (ev.reader, READER1) == 0;
    }
  assert_int_equal (seen0, 1);
  assert_int_equal (seen1, 1);
  mc_context_free (ctx);
}

/* A card swapped while nobody waited: present before and after, but it was
 * removed and another inserted; pcsc-lite's event counter tells. */
static void
test_wait_swap (void **state)
{
  (void) state;
  mc_context *ctx = new_ctx ();
  fake_card card;
  fake_card_insert (&card, 0);
  mc_event ev;
  assert_int_equal (mc_context_wait_event (ctx, WAIT_MS, &ev), MC_OK);
  assert_int_equal (ev.kind, MC_EVENT_CARD_INSERTED);
  fake_card_remove (&card);
  assert_true (poll_card (ctx, READER0, 0));
  fake_card_insert (&card, 0);
  assert_true (poll_card (ctx, READER0, 1));

  assert_int_equal (mc_context_wait_event (ctx, WAIT_MS, &ev), MC_OK);
  assert_int_equal (ev.kind, MC_EVENT_CARD_REMOVED);
  assert_int_equal (mc_context_wait_event (ctx, WAIT_MS, &ev), MC_OK);
  assert_int_equal (ev.kind, MC_EVENT_CARD_INSERTED);
  assert_string_equal (ev.reader, READER0);
  fake_card_remove (&card);
  mc_context_free (ctx);
}

typedef struct {
  mc_context *ctx;
  long delay_ms;
} cancel_arg;

static void *
cancel_main (void *p)
{
  cancel_arg *a = p;
  pause_ms (a->delay_ms);   /* pacing only: a cancel that comes first is
                             * pending and still gives MC_ERR_CANCELLED */
  mc_context_cancel (a->ctx);
  return NULL;
}

static void
test_cancel (void **state)
{
  (void) state;
  mc_context *ctx = new_ctx ();
  mc_event ev;
  for (int round = 0; round < 3; round++)
    {
      cancel_arg a = { ctx, round * 150L };
      pthread_t t;
      assert_int_equal (pthread_create (&t, NULL, cancel_main, &a), 0);
      long t0 = now_ms ();
      /* No event will come: only the cancel ends this wait (a timeout,
       * far away, would fail the test instead of hanging it). */
      mc_status st = mc_context_wait_event (ctx, 60000, &ev);
      pthread_join (t, NULL);
      assert_int_equal (st, MC_ERR_CANCELLED);
      assert_true (now_ms () - t0 < 60000);
      /* The cancel was consumed: the next wait is a plain one. */
      assert_int_equal (mc_context_wait_event (ctx, 0, &ev), MC_ERR_TIMEOUT);
    }
  /* A cancel with nothing running stays pending for the next call. */
  mc_context_cancel (ctx);
  assert_true (*mc_context_cancel_flag (ctx));
  assert_int_equal (mc_context_wait_event (ctx, WAIT_MS, &ev), MC_ERR_CANCELLED);
  assert_false (*mc_context_cancel_flag (ctx));
  mc_context_cancel (ctx);
  mc_context_cancel_reset (ctx);
  assert_int_equal (mc_context_wait_event (ctx, 0, &ev), MC_ERR_TIMEOUT);
  mc_context_free (ctx);
}

/* pcscd killed and started again: the context is rebuilt. */
static void
test_restart (void **state)
{
  (void) state;
  mc_context *ctx = new_ctx ();
  assert_true (poll_card (ctx, READER0, 0));
  mc_event ev;

  assert_int_equal (env_sh ("kill '%s'", state_dir), 0);
  mc_reader *r = NULL;
  size_t n = 0;
  assert_int_equal (mc_context_list_readers (ctx, &r, &n), MC_ERR_NO_SERVICE);
  assert_int_equal (mc_context_wait_event (ctx, 300, &ev), MC_ERR_NO_SERVICE);

  assert_int_equal (stack_start (), 0);
  assert_int_equal (mc_context_wait_event (ctx, WAIT_MS, &ev), MC_OK);
  assert_int_equal (ev.kind, MC_EVENT_SERVICE_RESTARTED);
  assert_true (poll_card (ctx, READER0, 0));

  /* Events are tracked again on the new context. */
  fake_card card;
  fake_card_insert (&card, 0);
  assert_int_equal (mc_context_wait_event (ctx, WAIT_MS, &ev), MC_OK);
  assert_int_equal (ev.kind, MC_EVENT_CARD_INSERTED);
  assert_string_equal (ev.reader, READER0);

  /* Restart while a card is connected: the connection reports it. */
  mc_pcsc_card *pc = NULL;
  assert_int_equal (mc_pcsc_connect (ctx, READER0, &pc), MC_OK);
  fake_card_remove (&card);
  assert_int_equal (env_sh ("stop '%s'", state_dir), 0);
  uint8_t resp[16];
  size_t rlen = sizeof resp;
  static const uint8_t apdu[] = { 0x00, 0xA4, 0x00, 0x0C };
  mc_status st = mc_pcsc_transmit (pc, apdu, sizeof apdu, resp, &rlen);
  assert_true (st == MC_ERR_NO_SERVICE || st == MC_ERR_CARD_REMOVED);
  mc_pcsc_disconnect (pc, 0);

  /* Another configuration: a second vpcd entry gives two more readers. */
  int port2 = pick_ports ();
  assert_true (port2 > 0);
  assert_int_equal (env_sh ("add-conf '%s' vpcd-1 %d 'Other PCD'", state_dir, port2), 0);
  assert_int_equal (stack_start (), 0);
  assert_int_equal (mc_context_wait_event (ctx, WAIT_MS, &ev), MC_OK);
  assert_int_equal (ev.kind, MC_EVENT_SERVICE_RESTARTED);
  assert_true (poll_card (ctx, "Other PCD 00 01", 0));
  assert_int_equal (mc_context_list_readers (ctx, &r, &n), MC_OK);
  assert_int_equal (n, 4);
  assert_non_null (find_reader (r, n, READER0));
  assert_non_null (find_reader (r, n, "Other PCD 00 00"));
  mc_readers_free (r, n);

  /* Back to the one-entry stack for the other tests. */
  assert_int_equal (env_sh ("stop '%s'", state_dir), 0);
  assert_int_equal (env_sh ("rm-conf '%s' vpcd-1", state_dir), 0);
  assert_int_equal (stack_start (), 0);
  assert_int_equal (mc_context_wait_event (ctx, WAIT_MS, &ev), MC_OK);
  assert_int_equal (ev.kind, MC_EVENT_SERVICE_RESTARTED);
  mc_context_free (ctx);
}

static void
test_args (void **state)
{
  (void) state;
  mc_reader *r;
  size_t n;
  mc_event ev;
  assert_int_equal (mc_context_new (NULL), MC_ERR_INVALID_ARG);
  assert_int_equal (mc_context_list_readers (NULL, &r, &n), MC_ERR_INVALID_ARG);
  assert_int_equal (mc_context_wait_event (NULL, 0, &ev), MC_ERR_INVALID_ARG);
  mc_context_cancel (NULL);
  mc_context_free (NULL);
  mc_readers_free (NULL, 0);
  mc_pcsc_disconnect (NULL, 0);
}

/* ---------------------------------------------------------------- main */

static void
cleanup (void)
{
  stack_stop ();
  if (state_dir[0])
    {
      char cmd[128];
      snprintf (cmd, sizeof cmd, "rm -rf '%s'", state_dir);
      if (system (cmd) != 0)
        fprintf (stderr, "could not remove %s\n", state_dir);
      state_dir[0] = '\0';
    }
}

int
main (void)
{
  int rc = env_sh ("check");
  if (rc != 0)
    {
      fprintf (stderr, "skipped: needs root, pcscd, vpcd and unshare\n");
      return 77;
    }
  snprintf (state_dir, sizeof state_dir, "/tmp/motcua-readers-XXXXXX");
  if (!mkdtemp (state_dir))
    return 1;
  atexit (cleanup);
  char sock[128];
  snprintf (sock, sizeof sock, "%s/run/pcscd.comm", state_dir);
  setenv ("PCSCLITE_CSOCK_NAME", sock, 1);   /* before any PC/SC call */
  vpcd_port = pick_ports ();
  if (vpcd_port == 0 || stack_start () != 0)
    {
      fprintf (stderr, "could not start pcscd (log: %s/pcscd.log)\n", state_dir);
      return 1;
    }

  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_args),
    cmocka_unit_test (test_list),
    cmocka_unit_test (test_connect),
    cmocka_unit_test (test_wait_insert_remove),
    cmocka_unit_test (test_wait_two_cards),
    cmocka_unit_test (test_wait_swap),
    cmocka_unit_test (test_cancel),
    cmocka_unit_test (test_restart),
  };
  return cmocka_run_group_tests_name ("readers", tests, NULL, NULL);
}
