/* test-service-faults.c — every fault switch, observed from a libcurl client
 *
 * One motcua-refsvc process for the group.  Each switch is set through the
 * admin interface and observed the way the motcua client will meet it:
 * added latency (seen in the admin counters, never by timing), a dropped
 * connection (a curl error, nothing stored), 500, 429 and 503 with
 * Retry-After, accept-then-drop (a curl error, but the dossier is stored
 * and the resend is answered as a replay: one dossier in the end) and
 * tokens expiring mid-run on a kept-alive connection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "service-harness.h"

static svc_service *svc;
static GBytes *birth;

static int
setup (void **state)
{
  (void) state;
  return svc_group_start (&svc, &birth, NULL) ? 0 : -1;
}

static int
teardown (void **state)
{
  (void) state;
  return svc_group_stop (svc, &birth, NULL) ? 0 : -1;
}

/* Every test leaves the switches off. */
static int
clear_faults (void **state)
{
  (void) state;
  long st = 0;
  g_autoptr(JsonNode) n = svc_admin (svc, "DELETE", "/admin/faults", NULL, &st);
  return st == 200 ? 0 : -1;
}

/* A client of the counter with its token, and a fresh signed envelope. */
typedef struct {
  svc_client *c;
  char       *token;
  char       *txid;
  char       *env;
} fixture;

static void
fixture_init (fixture *f)
{
  f->c = svc_client_new (svc->url, svc->pki_dir, SVC_COUNTER);
  f->token = svc_token (svc, SVC_COUNTER);
  assert_non_null (f->token);
  f->txid = g_uuid_string_random ();
  f->env = svc_signed_envelope (f->txid, "birth", birth, "clerk-ec-TEST-ONLY", FALSE);
  assert_non_null (f->env);
}

static void
fixture_clear (fixture *f)
{
  svc_client_free (f->c);
  g_free (f->token);
  g_free (f->txid);
  g_free (f->env);
}

static svc_response *
post (fixture *f)
{
  return svc_client_request (f->c, "POST", "/v1/dossiers", f->token, "application/json",
                             f->env, strlen (f->env), NULL);
}

static svc_response *
get_changes (fixture *f)
{
  return svc_client_request (f->c, "GET", "/v1/changes?since=0&limit=1", f->token, NULL, NULL,
                             0, NULL);
}

/* POST on a new connection: libcurl resends a request by itself when a
 * kept-alive connection dies before any answer byte (see below), which
 * would hide the drop from the test. */
static svc_response *
post_fresh (fixture *f)
{
  g_autoptr(svc_client) c = svc_client_new (svc->url, svc->pki_dir, SVC_COUNTER);
  return svc_client_request (c, "POST", "/v1/dossiers", f->token, "application/json",
                             f->env, strlen (f->env), NULL);
}

/* ------------------------------------------------------------ switches */

static void
test_latency (void **state)
{
  (void) state;
  fixture f = { 0 };
  fixture_init (&f);
  gint64 l0 = svc_stat (svc, "/faults/latencyInjected");
  assert_true (svc_set_faults (svc, "{\"latencyMs\":20,\"pathPrefix\":\"/v1/changes\"}"));
  g_autoptr(svc_response) a = get_changes (&f);
  assert_int_equal (a->status, 200);
  g_autoptr(svc_response) b = get_changes (&f);
  assert_int_equal (b->status, 200);
  assert_int_equal (svc_stat (svc, "/faults/latencyInjected"), l0 + 2);
  /* Other paths are not slowed down. */
  g_autoptr(svc_response) c = post (&f);
  assert_int_equal (c->status, 201);
  assert_int_equal (svc_stat (svc, "/faults/latencyInjected"), l0 + 2);
  /* The switch is visible, and cleared by DELETE. */
  g_autoptr(JsonNode) cur = svc_admin (svc, "GET", "/admin/faults", NULL, NULL);
  assert_int_equal (svc_json_int (cur, "/latencyMs"), 20);
  assert_int_equal (clear_faults (NULL), 0);
  g_autoptr(svc_response) d = get_changes (&f);
  assert_int_equal (d->status, 200);
  assert_int_equal (svc_stat (svc, "/faults/latencyInjected"), l0 + 2);
  fixture_clear (&f);
}

static void
test_drop (void **state)
{
  (void) state;
  fixture f = { 0 };
  fixture_init (&f);
  gint64 d0 = svc_stat (svc, "/stored/dossiers"), f0 = svc_stat (svc, "/faults/drop");
  assert_true (svc_set_faults (svc, "{\"drop\":{\"count\":1}}"));
  g_autoptr(svc_response) a = post_fresh (&f);
  assert_true (svc_check_dropped (a));
  assert_int_equal (svc_stat (svc, "/faults/drop"), f0 + 1);
  assert_int_equal (svc_stat (svc, "/stored/dossiers"), d0);
  assert_int_equal (svc_admin_count_transaction (svc, f.txid), 0);
  /* The client resends on the same handle (a new connection): created
   * now, not a replay, since nothing was stored. */
  g_autoptr(svc_response) b = post (&f);
  assert_int_equal (b->status, 201);
  assert_null (svc_response_header (b, "Idempotent-Replay"));
  assert_int_equal (svc_admin_count_transaction (svc, f.txid), 1);
  fixture_clear (&f);
}

static void
test_error500 (void **state)
{
  (void) state;
  fixture f = { 0 };
  fixture_init (&f);
  gint64 d0 = svc_stat (svc, "/stored/dossiers"), f0 = svc_stat (svc, "/faults/error500");
  assert_true (svc_set_faults (svc, "{\"error500\":{\"count\":1}}"));
  g_autoptr(svc_response) a = post (&f);
  assert_true (svc_check_error (a, 500, "server.internal"));
  assert_null (svc_response_header (a, "Retry-After"));
  assert_int_equal (svc_stat (svc, "/stored/dossiers"), d0);
  assert_int_equal (svc_stat (svc, "/faults/error500"), f0 + 1);
  g_autoptr(svc_response) b = post (&f);
  assert_int_equal (b->status, 201);
  assert_int_equal (svc_stat (svc, "/stored/dossiers"), d0 + 1);
  fixture_clear (&f);
}

static void
test_too_many_requests (void **state)
{
  (void) state;
  fixture f = { 0 };
  fixture_init (&f);
  gint64 f0 = svc_stat (svc, "/faults/tooManyRequests");
  assert_true (svc_set_faults (svc, "{\"tooManyRequests\":{\"count\":2},\"retryAfter\":7}"));
  for (int i = 0; i < 2; i++)
    {
      g_autoptr(svc_response) a = post (&f);
      assert_true (svc_check_error (a, 429, "server.busy"));
      assert_true (svc_check_retry_after (a));
      assert_string_equal (svc_response_header (a, "Retry-After"), "7");
    }
  assert_int_equal (svc_stat (svc, "/faults/tooManyRequests"), f0 + 2);
  assert_int_equal (svc_admin_count_transaction (svc, f.txid), 0);
  g_autoptr(svc_response) b = post (&f);
  assert_int_equal (b->status, 201);
  fixture_clear (&f);
}

static void
test_unavailable (void **state)
{
  (void) state;
  fixture f = { 0 };
  fixture_init (&f);
  gint64 f0 = svc_stat (svc, "/faults/unavailable");
  assert_true (svc_set_faults (svc, "{\"unavailable\":{\"count\":1}}"));
  g_autoptr(svc_response) a = post (&f);
  assert_true (svc_check_error (a, 503, "server.unavailable"));
  assert_true (svc_check_retry_after (a));
  assert_int_equal (svc_stat (svc, "/faults/unavailable"), f0 + 1);
  /* Status reads are affected like writes (every /v1/ path). */
  assert_true (svc_set_faults (svc, "{\"unavailable\":{\"count\":1},\"retryAfter\":30}"));
  g_autoptr(svc_response) b = get_changes (&f);
  assert_true (svc_check_error (b, 503, "server.unavailable"));
  assert_string_equal (svc_response_header (b, "Retry-After"), "30");
  /* And the BHXH gateway (/api/). */
  assert_true (svc_set_faults (svc, "{\"unavailable\":{\"count\":1},\"retryAfter\":5}"));
  const char *form = "username=01001_BV&password=x";
  g_autoptr(svc_response) c = svc_request (svc, "POST", "/api/token/take", SVC_HOSPITAL, NULL,
                                           "application/x-www-form-urlencoded", form,
                                           strlen (form));
  assert_int_equal (c->status, 503);
  assert_true (svc_check_retry_after (c));
  g_autoptr(svc_response) d = post (&f);
  assert_int_equal (d->status, 201);
  fixture_clear (&f);
}

/* The switch that makes clients create duplicates if they are careless:
 * the dossier is committed, then the connection closes unanswered. */
static void
test_accept_then_drop (void **state)
{
  (void) state;
  fixture f = { 0 };
  fixture_init (&f);
  gint64 d0 = svc_stat (svc, "/stored/dossiers"), dup0 = svc_stat (svc, "/duplicates");
  gint64 f0 = svc_stat (svc, "/faults/acceptThenDrop");
  assert_true (svc_set_faults (svc, "{\"acceptThenDrop\":{\"count\":1}}"));
  /* Reads commit nothing: they are answered, and do not use up the shot. */
  g_autoptr(svc_response) g = get_changes (&f);
  assert_int_equal (g->status, 200);
  g_autoptr(svc_response) a = post_fresh (&f);
  assert_true (svc_check_dropped (a));
  assert_int_equal (svc_stat (svc, "/faults/acceptThenDrop"), f0 + 1);
  assert_int_equal (svc_stat (svc, "/stored/dossiers"), d0 + 1);
  assert_int_equal (svc_admin_count_transaction (svc, f.txid), 1);
  /* The resend: the original answer, marked as a replay; still one dossier. */
  g_autoptr(svc_response) b = post (&f);
  assert_int_equal (b->status, 201);
  assert_string_equal (svc_response_header (b, "Idempotent-Replay"), "true");
  assert_string_equal (svc_json_str (b->json, "/transactionId"), f.txid);
  assert_int_equal (svc_admin_count_transaction (svc, f.txid), 1);
  assert_int_equal (svc_stat (svc, "/stored/dossiers"), d0 + 1);
  assert_int_equal (svc_stat (svc, "/duplicates"), dup0 + 1);
  /* The client may also ask by transaction id before resending. */
  g_autofree char *by = g_strconcat ("/v1/dossiers/by-transaction/", f.txid, NULL);
  g_autoptr(svc_response) c = svc_client_request (f.c, "GET", by, f.token, NULL, NULL, 0, NULL);
  assert_int_equal (c->status, 200);
  assert_string_equal (svc_json_str (c->json, "/dossierId"), svc_json_str (b->json, "/dossierId"));
  fixture_clear (&f);
}

/* On a kept-alive connection libcurl itself resends a request whose
 * connection died before any answer byte ("Connection died, retrying a
 * fresh connect"), POSTs included: the application then sees the resend's
 * answer.  Only idempotency keeps that from making a duplicate; the
 * motcua client must count on it. */
static void
test_accept_then_drop_keep_alive (void **state)
{
  (void) state;
  fixture f = { 0 };
  fixture_init (&f);
  gint64 d0 = svc_stat (svc, "/stored/dossiers"), dup0 = svc_stat (svc, "/duplicates");
  g_autoptr(svc_response) warm = get_changes (&f);   /* the connection to reuse */
  assert_int_equal (warm->status, 200);
  assert_true (svc_set_faults (svc, "{\"acceptThenDrop\":{\"count\":1}}"));
  g_autoptr(svc_response) a = post (&f);
  if (a->curl_code == CURLE_OK)
    {
      /* libcurl resent it: the answer is the replay of the stored one. */
      assert_int_equal (a->status, 201);
      assert_string_equal (svc_response_header (a, "Idempotent-Replay"), "true");
      assert_int_equal (svc_stat (svc, "/duplicates"), dup0 + 1);
    }
  else
    assert_true (svc_check_dropped (a));
  assert_int_equal (svc_admin_count_transaction (svc, f.txid), 1);
  assert_int_equal (svc_stat (svc, "/stored/dossiers"), d0 + 1);
  fixture_clear (&f);
}

/* ratio 1: every matching request, until the switch is cleared. */
static void
test_ratio (void **state)
{
  (void) state;
  fixture f = { 0 };
  fixture_init (&f);
  gint64 f0 = svc_stat (svc, "/faults/error500");
  assert_true (svc_set_faults (svc, "{\"error500\":{\"ratio\":1},\"pathPrefix\":\"/v1/changes\"}"));
  for (int i = 0; i < 3; i++)
    {
      g_autoptr(svc_response) a = get_changes (&f);
      assert_true (svc_check_error (a, 500, "server.internal"));
    }
  assert_int_equal (svc_stat (svc, "/faults/error500"), f0 + 3);
  g_autoptr(svc_response) b = post (&f);   /* other path: untouched */
  assert_int_equal (b->status, 201);
  assert_int_equal (clear_faults (NULL), 0);
  g_autoptr(svc_response) c = get_changes (&f);
  assert_int_equal (c->status, 200);
  fixture_clear (&f);
}

static void
test_bad_switches (void **state)
{
  (void) state;
  static const char *const bad[] = {
    "{\"nosuch\":{\"count\":1}}",
    "{\"drop\":{\"count\":-1}}",
    "{\"drop\":{\"ratio\":2}}",
    "{\"drop\":3}",
    "{\"latencyMs\":\"slow\"}",
    "{\"pathPrefix\":\"v1\"}",
    "not json",
  };
  for (size_t i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      long st = 0;
      g_autoptr(JsonNode) n = svc_admin (svc, "PUT", "/admin/faults", bad[i], &st);
      assert_int_equal (st, 400);
    }
  /* Nothing was switched on by them. */
  g_autoptr(JsonNode) cur = svc_admin (svc, "GET", "/admin/faults", NULL, NULL);
  assert_int_equal (svc_json_int (cur, "/drop/count"), 0);
  assert_int_equal (svc_json_int (cur, "/latencyMs"), 0);
}

/* Tokens expire while the client keeps its connection open: the next call
 * is refused with auth.token_expired (nothing stored), a new token (same
 * connection) makes it go through. */
static void
test_token_expiry_mid_run (void **state)
{
  (void) state;
  fixture f = { 0 };
  fixture_init (&f);
  g_autoptr(svc_response) a = post (&f);
  assert_int_equal (a->status, 201);
  g_autofree char *tx2 = g_uuid_string_random ();
  g_autofree char *env2 = svc_signed_envelope (tx2, "birth", birth, "clerk-rsa-TEST-ONLY", FALSE);
  long st = 0;
  g_autoptr(JsonNode) n = svc_admin (svc, "POST", "/admin/tokens/expire", NULL, &st);
  assert_int_equal (st, 200);
  g_autoptr(svc_response) b = svc_client_request (f.c, "POST", "/v1/dossiers", f.token,
                                                  "application/json", env2, strlen (env2), NULL);
  assert_true (svc_check_error (b, 401, "auth.token_expired"));
  assert_int_equal (svc_admin_count_transaction (svc, tx2), 0);
  g_autoptr(svc_response) t = svc_client_request (f.c, "POST", "/v1/auth/token", NULL, NULL,
                                                  NULL, 0, NULL);
  assert_int_equal (t->status, 200);
  const char *fresh = svc_json_str (t->json, "/access_token");
  g_autoptr(svc_response) c = svc_client_request (f.c, "POST", "/v1/dossiers", fresh,
                                                  "application/json", env2, strlen (env2), NULL);
  assert_int_equal (c->status, 201);
  assert_null (svc_response_header (c, "Idempotent-Replay"));
  fixture_clear (&f);
}

int
main (void)
{
  svc_global_init ();
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_teardown (test_latency, clear_faults),
    cmocka_unit_test_teardown (test_drop, clear_faults),
    cmocka_unit_test_teardown (test_error500, clear_faults),
    cmocka_unit_test_teardown (test_too_many_requests, clear_faults),
    cmocka_unit_test_teardown (test_unavailable, clear_faults),
    cmocka_unit_test_teardown (test_accept_then_drop, clear_faults),
    cmocka_unit_test_teardown (test_accept_then_drop_keep_alive, clear_faults),
    cmocka_unit_test_teardown (test_ratio, clear_faults),
    cmocka_unit_test_teardown (test_bad_switches, clear_faults),
    cmocka_unit_test_teardown (test_token_expiry_mid_run, clear_faults),
  };
  int rc = cmocka_run_group_tests_name ("service-faults", tests, setup, teardown);
  curl_global_cleanup ();
  return rc;
}
