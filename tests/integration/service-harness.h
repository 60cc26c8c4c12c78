/* service-harness.h — talks to a real motcua-refsvc process, as a client would
 *
 * The service tests (test-service-*.c) and the service benchmark start the
 * reference liên thông service (tests/refsvc, docs/protocol.md) as a child
 * process with the test PKI, and speak to it over real mutual TLS with
 * libcurl: nothing is linked from the service itself, so every answer is
 * observed the way the motcua client will observe it.
 *
 * No cmocka here (the benchmark links this too): checks return gboolean and
 * print what differed on stderr, tests wrap them in assert_true(). */
#ifndef SERVICE_HARNESS_H
#define SERVICE_HARNESS_H

#include <curl/curl.h>
#include <gio/gio.h>
#include <glib.h>
#include <json-glib/json-glib.h>

/* Device certificate names (certs/test/service/NAME.pem + NAME.key). */
#define SVC_COUNTER   "counter-TEST-ONLY"     /* O=00004 OU=counter */
#define SVC_COUNTER_B "counter-b-TEST-ONLY"   /* O=00008 OU=counter */
#define SVC_KIOSK     "kiosk-TEST-ONLY"       /* O=00004 OU=kiosk */
#define SVC_HOSPITAL  "hospital-TEST-ONLY"    /* O=01001 OU=hospital */

/* ------------------------------------------------------------ the process */

typedef struct {
  GSubprocess *proc;
  GThread     *drain;       /* copies the service's later stdout to stderr */
  char        *state_dir;   /* temporary, removed by svc_stop */
  char        *pki_dir;
  char        *url;         /* https://127.0.0.1:PORT */
  char        *admin_url;   /* http://127.0.0.1:PORT */
} svc_service;

/* Starts $MOTCUA_BUILD_ROOT/tests/refsvc/motcua-refsvc (or $MOTCUA_REFSVC)
 * with the test PKI, a fresh state directory, free ports and the stepped
 * clock, plus extra_args (NULL-terminated, may be NULL); waits for its two
 * URL lines.  NULL (and a message on stderr) on failure. */
svc_service *svc_start (const char *const *extra_args);
/* SIGTERM, wait, remove the state directory.  Returns FALSE when the
 * service did not end cleanly (crash, sanitizer report, had to be killed). */
gboolean     svc_stop (svc_service *s);

/* libcurl global init once per process (call from main). */
void svc_global_init (void);

/* ------------------------------------------------------------ HTTP */

typedef struct {
  CURLcode    curl_code;          /* CURLE_OK when an answer arrived */
  char        curl_error[CURL_ERROR_SIZE];
  long        status;             /* 0 when no answer */
  char       *body;               /* NUL-terminated (may hold NULs) */
  gsize       body_len;
  GHashTable *headers;            /* lower-case name → value (last one) */
  JsonNode   *json;               /* body parsed, or NULL */
} svc_response;

void        svc_response_free (svc_response *r);
const char *svc_response_header (const svc_response *r, const char *name);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (svc_response, svc_response_free)

/* One libcurl easy handle, reused (keep-alive) for every request it makes.
 * device: certificate name for mutual TLS, or NULL for none.  base_url
 * prefixes request paths that start with '/'. Not thread-safe: one client
 * per thread. */
typedef struct svc_client svc_client;
svc_client *svc_client_new (const char *base_url, const char *pki_dir, const char *device);
void        svc_client_free (svc_client *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (svc_client, svc_client_free)

/* method: "GET", "POST", "PUT", "DELETE".  token: bearer or NULL.
 * content_type NULL: no Content-Type header.  headers: extra "Name: value"
 * lines, NULL-terminated, may be NULL.  Never NULL. */
svc_response *svc_client_request (svc_client *c, const char *method, const char *path,
                                  const char *token, const char *content_type,
                                  const void *body, gsize len, const char *const *headers);

/* How many connections this client opened so far (keep-alive check). */
long          svc_client_connects (const svc_client *c);

/* One-shot request with a fresh client (fresh TLS connection). */
svc_response *svc_request (svc_service *s, const char *method, const char *path,
                           const char *device, const char *token, const char *content_type,
                           const void *body, gsize len);

/* Plain-HTTP admin call; json_body may be NULL.  Returns the parsed answer
 * (NULL when it is not JSON) and *status (may be NULL). */
JsonNode *svc_admin (svc_service *s, const char *method, const char *path,
                     const char *json_body, long *status);
/* PUT /admin/faults with a JSON object text; TRUE on 2xx. */
gboolean  svc_set_faults (svc_service *s, const char *json);
/* An integer from GET /admin/stats by JSON Pointer (-1 if absent). */
gint64    svc_stat (svc_service *s, const char *pointer);

/* How many dossiers GET /admin/dossiers lists with that transaction id. */
guint     svc_admin_count_transaction (svc_service *s, const char *transaction_id);

/* POST /v1/auth/token with that device; the access token or NULL. */
char *svc_token (svc_service *s, const char *device);

/* ------------------------------------------------------------ payloads */

/* tests/refsvc/samples/NAME (e.g. "birth-valid.json"), or NULL. */
GBytes *svc_sample (const char *name);
/* For a cmocka group: loads the birth and death samples (death may be
 * NULL when the group needs only births) and starts a fresh service.
 * FALSE when any of it fails.  svc_group_stop undoes it (FALSE when the
 * service did not exit cleanly). */
gboolean svc_group_start (svc_service **svc, GBytes **birth, GBytes **death);
gboolean svc_group_stop (svc_service *svc, GBytes **birth, GBytes **death);
/* A copy of a JSON document with the member at pointer replaced by value
 * (a JSON text: "\"x\"", "12", "null"), or removed when value is NULL.
 * Intermediate objects are created.  NULL when the document is not JSON. */
GBytes *svc_json_patch (GBytes *json, const char *pointer, const char *value);

/* svc_json_patch for each (pointer, value) pair of a NULL-terminated list. */
GBytes *svc_json_patch_all (GBytes *json, const char *const *edits);

/* The submission envelope (docs/protocol.md §Submitting).  aa/dg15/sod:
 * all three or NULL. */
char *svc_envelope (const char *transaction_id, const char *procedure, GBytes *payload,
                    GBytes *signature, GBytes *aa, GBytes *dg15, GBytes *sod);
/* Same, signature made with testsign_cms (signer) over payload, and, when
 * with_presence, a card-presence proof over payload from the simulated card
 * "cccd-2021".  NULL when signing failed. */
char *svc_signed_envelope (const char *transaction_id, const char *procedure,
                           GBytes *payload, const char *signer, gboolean with_presence);

/* POST /v1/dossiers (Content-Type: application/json) as device. */
svc_response *svc_submit (svc_service *s, const char *device, const char *token,
                          const char *envelope);
/* The same with a fresh token of device; and a GET with a fresh token. */
svc_response *svc_submit_as (svc_service *s, const char *device, const char *envelope);
svc_response *svc_get_as (svc_service *s, const char *device, const char *path);

/* ------------------------------------------------------------ JSON */

/* Node at a JSON Pointer ("/error/fields/0/path"), or NULL. */
JsonNode   *svc_json_at (JsonNode *root, const char *pointer);
const char *svc_json_str (JsonNode *root, const char *pointer);  /* NULL if not a string */
gint64      svc_json_int (JsonNode *root, const char *pointer);  /* -1 if not a number */
gboolean    svc_json_bool (JsonNode *root, const char *pointer);
guint       svc_json_len (JsonNode *root, const char *pointer);  /* array length, 0 */
char       *svc_json_text (JsonNode *node);                      /* serialised */

/* ------------------------------------------------------------ checks */

/* status, error.code, error.status, a Vietnamese error.message (non-empty,
 * NFC UTF-8, with at least one non-ASCII letter, other than message_en). */
gboolean svc_check_error (const svc_response *r, long status, const char *code);
/* error.fields[] lists that path (with a code and a message). */
gboolean svc_check_field (const svc_response *r, const char *path);
/* 429/503: Retry-After header = error.retryAfter > 0. */
gboolean svc_check_retry_after (const svc_response *r);
/* The connection was dropped without an answer (curl error, no status). */
gboolean svc_check_dropped (const svc_response *r);
/* Status of a system in a status or submission answer ("" if absent). */
const char *svc_system_status (JsonNode *doc, const char *system);
JsonNode   *svc_system (JsonNode *doc, const char *system);

#endif
