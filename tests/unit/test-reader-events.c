/* test-reader-events.c — reader hot-plug and event queueing in reader.c
 * against an emulated PC/SC (the SCard* calls are wrapped at link time).
 *
 * vpcd's readers cannot come and go at run time (see
 * tests/integration/test-readers.c), so the "\\?PnP?\Notification" path is
 * tested here.  The emulation follows pcsc-lite 1.9.9's documented
 * SCardGetStatusChange behaviour: per-reader event counter in the upper
 * 16 bits, CHANGED when the state differs from dwCurrentState, UNKNOWN for
 * a reader that is gone, the reader count in the PnP entry's upper bits.
 * Events scripted as "during the wait" happen inside a blocking call.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <PCSC/winscard.h>

#include "motcua-card.h"
#include "reader.h"

/* ---------------------------------------------------------------- emulation */

typedef struct {
  char name[64];
  int present;
  unsigned counter;
} emu_reader;

static emu_reader emu[8];
static size_t emu_n;
static int emu_down;               /* pcscd not running */
static int emu_generation = 1;     /* bumped by a "restart" */
static void (*emu_during_wait) (void);

static void
emu_add (const char *name, int present)
{
  snprintf (emu[emu_n].name, sizeof emu[emu_n].name, "%s", name);
  emu[emu_n].present = present;
  emu[emu_n].counter = present ? 1 : 0;
  emu_n++;
}

static void
emu_remove (const char *name)
{
  for (size_t i = 0; i < emu_n; i++)
    if (strcmp (emu[i].name, name) == 0)
      {
        memmove (&emu[i], &emu[i + 1], (emu_n - i - 1) * sizeof emu[0]);
        emu_n--;
        return;
      }
}

static void
emu_card (const char *name, int present)
{
  for (size_t i = 0; i < emu_n; i++)
    if (strcmp (emu[i].name, name) == 0 && emu[i].present != present)
      {
        emu[i].present = present;
        emu[i].counter++;
      }
}

LONG __wrap_SCardEstablishContext (DWORD, LPCVOID, LPCVOID, LPSCARDCONTEXT);
LONG __wrap_SCardReleaseContext (SCARDCONTEXT);
LONG __wrap_SCardCancel (SCARDCONTEXT);
LONG __wrap_SCardListReaders (SCARDCONTEXT, LPCSTR, LPSTR, LPDWORD);
LONG __wrap_SCardGetStatusChange (SCARDCONTEXT, DWORD, SCARD_READERSTATE *, DWORD);

LONG
__wrap_SCardEstablishContext (DWORD scope, LPCVOID r1, LPCVOID r2, LPSCARDCONTEXT h)
{
  (void) scope; (void) r1; (void) r2;
  if (emu_down)
    return SCARD_E_NO_SERVICE;
  *h = (SCARDCONTEXT) emu_generation;
  return SCARD_S_SUCCESS;
}

LONG
__wrap_SCardReleaseContext (SCARDCONTEXT h)
{
  return h == (SCARDCONTEXT) emu_generation ? SCARD_S_SUCCESS : SCARD_E_INVALID_HANDLE;
}

LONG
__wrap_SCardCancel (SCARDCONTEXT h)
{
  (void) h;
  return SCARD_S_SUCCESS;
}

static LONG
emu_check (SCARDCONTEXT h)
{
  if (emu_down)
    return SCARD_E_NO_SERVICE;
  return h == (SCARDCONTEXT) emu_generation ? SCARD_S_SUCCESS : SCARD_E_INVALID_HANDLE;
}

LONG
__wrap_SCardListReaders (SCARDCONTEXT h, LPCSTR groups, LPSTR out, LPDWORD len)
{
  (void) groups;
  LONG rv = emu_check (h);
  if (rv != SCARD_S_SUCCESS)
    return rv;
  if (emu_n == 0)
    return SCARD_E_NO_READERS_AVAILABLE;
  DWORD need = 1;
  for (size_t i = 0; i < emu_n; i++)
    need += (DWORD) strlen (emu[i].name) + 1;
  if (!out)
    {
      *len = need;
      return SCARD_S_SUCCESS;
    }
  if (*len < need)
    return SCARD_E_INSUFFICIENT_BUFFER;
  char *p = out;
  for (size_t i = 0; i < emu_n; i++)
    {
      strcpy (p, emu[i].name);
      p += strlen (p) + 1;
    }
  *p = '\0';
  *len = need;
  return SCARD_S_SUCCESS;
}

static int
emu_eval (SCARD_READERSTATE *st, DWORD n)
{
  int changed = 0;
  for (DWORD j = 0; j < n; j++)
    {
      SCARD_READERSTATE *s = &st[j];
      DWORD cur = s->dwCurrentState;
      if (strcmp (s->szReader, "\\\\?PnP?\\Notification") == 0)
        {
          s->dwEventState = (DWORD) emu_n << 16;
          if ((cur >> 16) != emu_n)
            s->dwEventState |= SCARD_STATE_CHANGED;
        }
      else
        {
          const emu_reader *r = NULL;
          for (size_t i = 0; i < emu_n; i++)
            if (strcmp (emu[i].name, s->szReader) == 0)
              r = &emu[i];
          if (!r)
            {
              s->dwEventState = SCARD_STATE_UNKNOWN | SCARD_STATE_UNAVAILABLE;
              if (!(cur & SCARD_STATE_UNKNOWN))
                s->dwEventState |= SCARD_STATE_CHANGED;
            }
          else
            {
              s->dwEventState = (r->present ? SCARD_STATE_PRESENT : SCARD_STATE_EMPTY)
                                | ((DWORD) r->counter << 16);
              s->cbAtr = 0;
              if (cur == SCARD_STATE_UNAWARE || (cur >> 16) != r->counter
                  || (cur & SCARD_STATE_PRESENT) != (s->dwEventState & SCARD_STATE_PRESENT))
                s->dwEventState |= SCARD_STATE_CHANGED;
            }
        }
      changed |= (s->dwEventState & SCARD_STATE_CHANGED) != 0;
    }
  return changed;
}

LONG
__wrap_SCardGetStatusChange (SCARDCONTEXT h, DWORD timeout, SCARD_READERSTATE *st, DWORD n)
{
  LONG rv = emu_check (h);
  if (rv != SCARD_S_SUCCESS)
    return rv;
  if (emu_eval (st, n))
    return SCARD_S_SUCCESS;
  if (timeout == 0 || !emu_during_wait)
    return SCARD_E_TIMEOUT;
  void (*f) (void) = emu_during_wait;
  emu_during_wait = NULL;
  f ();
  rv = emu_check (h);
  if (rv != SCARD_S_SUCCESS)
    return rv;
  return emu_eval (st, n) ? SCARD_S_SUCCESS : SCARD_E_TIMEOUT;
}

/* ---------------------------------------------------------------- tests */

static void
expect_event (mc_context *ctx, mc_event_kind kind, const char *reader)
{
  mc_event ev;
  assert_int_equal (mc_context_wait_event (ctx, 1000, &ev), MC_OK);
  assert_int_equal (ev.kind, kind);
  if (reader)
    assert_string_equal (ev.reader, reader);
}

static void
expect_nothing (mc_context *ctx)
{
  mc_event ev;
  assert_int_equal (mc_context_wait_event (ctx, 0, &ev), MC_ERR_TIMEOUT);
}

static void plug_b_with_card (void) { emu_add ("Reader B", 1); }
static void unplug_a (void) { emu_remove ("Reader A"); }
static void two_cards (void) { emu_card ("Reader A", 1); emu_card ("Reader B", 1); }
static void unplug_b_with_card (void) { emu_remove ("Reader B"); }
static void pcscd_dies (void) { emu_down = 1; }

static void
test_hotplug (void **state)
{
  (void) state;
  emu_n = 0;
  emu_down = 0;
  emu_add ("Reader A", 0);
  mc_context *ctx = NULL;
  assert_int_equal (mc_context_new (&ctx), MC_OK);
  expect_nothing (ctx);

  /* A reader with a card is plugged in during a wait. */
  emu_during_wait = plug_b_with_card;
  expect_event (ctx, MC_EVENT_READER_ADDED, "Reader B");
  expect_event (ctx, MC_EVENT_CARD_INSERTED, "Reader B");
  expect_nothing (ctx);

  mc_reader *r = NULL;
  size_t n = 0;
  assert_int_equal (mc_context_list_readers (ctx, &r, &n), MC_OK);
  assert_int_equal (n, 2);
  mc_readers_free (r, n);

  /* Unplugged during a wait, then while nobody waits. */
  emu_during_wait = unplug_a;
  expect_event (ctx, MC_EVENT_READER_REMOVED, "Reader A");
  expect_nothing (ctx);
  emu_add ("Reader A", 0);
  expect_event (ctx, MC_EVENT_READER_ADDED, "Reader A");
  expect_nothing (ctx);

  /* Two events in one status change: the second is queued, not lost. */
  emu_card ("Reader B", 0);
  expect_event (ctx, MC_EVENT_CARD_REMOVED, "Reader B");
  emu_during_wait = two_cards;
  mc_event e1, e2;
  assert_int_equal (mc_context_wait_event (ctx, 1000, &e1), MC_OK);
  assert_int_equal (mc_context_wait_event (ctx, 0, &e2), MC_OK);
  assert_int_equal (e1.kind, MC_EVENT_CARD_INSERTED);
  assert_int_equal (e2.kind, MC_EVENT_CARD_INSERTED);
  assert_string_not_equal (e1.reader, e2.reader);
  expect_nothing (ctx);

  /* A reader leaves with its card in. */
  emu_during_wait = unplug_b_with_card;
  expect_event (ctx, MC_EVENT_READER_REMOVED, "Reader B");
  expect_nothing (ctx);

  /* pcscd dies during a wait and is back: rebuilt, reported once. */
  emu_during_wait = pcscd_dies;
  mc_event ev;
  assert_int_equal (mc_context_wait_event (ctx, 300, &ev), MC_ERR_NO_SERVICE);
  assert_int_equal (mc_context_list_readers (ctx, &r, &n), MC_ERR_NO_SERVICE);
  emu_down = 0;
  emu_generation++;
  expect_event (ctx, MC_EVENT_SERVICE_RESTARTED, NULL);
  expect_nothing (ctx);

  /* Handle invalidated without a visible outage (fast restart). */
  emu_generation++;
  expect_event (ctx, MC_EVENT_SERVICE_RESTARTED, NULL);
  assert_int_equal (mc_context_list_readers (ctx, &r, &n), MC_OK);
  assert_int_equal (n, 1);
  mc_readers_free (r, n);

  /* No readers at all is an empty list, not an error. */
  emu_n = 0;
  r = (mc_reader *) 1;
  assert_int_equal (mc_context_list_readers (ctx, &r, &n), MC_OK);
  assert_int_equal (n, 0);
  assert_null (r);
  expect_event (ctx, MC_EVENT_READER_REMOVED, "Reader A");
  mc_context_free (ctx);
}

static void
test_pcscd_absent_at_start (void **state)
{
  (void) state;
  emu_n = 0;
  emu_add ("Reader A", 1);
  emu_down = 1;
  mc_context *ctx = NULL;
  assert_int_equal (mc_context_new (&ctx), MC_OK);
  mc_event ev;
  assert_int_equal (mc_context_wait_event (ctx, 0, &ev), MC_ERR_NO_SERVICE);
  emu_down = 0;
  expect_event (ctx, MC_EVENT_SERVICE_RESTARTED, NULL);
  expect_nothing (ctx);
  mc_context_free (ctx);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_hotplug),
    cmocka_unit_test (test_pcscd_absent_at_start),
  };
  return cmocka_run_group_tests_name ("reader-events", tests, NULL, NULL);
}
