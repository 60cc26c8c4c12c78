/* refsvc-server.h — the running service: HTTP plumbing, routing, tokens,
 * faults, clock and statistics (refsvc-http.c, refsvc-api.c,
 * refsvc-gateway.c, refsvc-admin.c, refsvc-auth.c, refsvc-clock.c,
 * refsvc-faults.c, refsvc-main.c).  The data modules (store, trust,
 * dossier, xmldoc) do not see any of this. */
#ifndef REFSVC_SERVER_H
#define REFSVC_SERVER_H

#include "refsvc.h"

struct MHD_Daemon;
struct MHD_Connection;

/* ------------------------------------------------------------------------ */
/* Configuration                                                            */

typedef struct {
  char    *pki_dir;        /* certs/test/service */
  char    *state_dir;      /* SQLite file lives here */
  char    *codes_dir;      /* data/codes */
  char    *listen;         /* address of the API daemon, default 127.0.0.1 */
  guint16  port;           /* 0: any free port */
  guint16  admin_port;     /* admin daemon, always on 127.0.0.1 */
  gboolean stepped_clock;
  double   speed;          /* realtime clock speed factor */
  gint64   token_ttl;      /* seconds */
  char    *gw_username;    /* BHXH gateway test account */
  char    *gw_password_md5;/* lower-case hex */
  char    *gw_facility;    /* maCskcb of that account */
  refsvc_backoffice_config bo;
} refsvc_config;

void refsvc_config_init (refsvc_config *cfg);
void refsvc_config_clear (refsvc_config *cfg);

/* ------------------------------------------------------------------------ */
/* Clock (refsvc-clock.c): virtual time of the back office                   */

typedef struct refsvc_clock refsvc_clock;

refsvc_clock *refsvc_clock_new (gboolean stepped, double speed);
void          refsvc_clock_free (refsvc_clock *c);
gint64        refsvc_clock_now (refsvc_clock *c);          /* unix seconds */
/* Stepped mode: moves time forward (seconds >= 0); returns the new now. */
gint64        refsvc_clock_advance (refsvc_clock *c, gint64 seconds);
void          refsvc_clock_set_mode (refsvc_clock *c, gboolean stepped, double speed);
gboolean      refsvc_clock_is_stepped (refsvc_clock *c);
double        refsvc_clock_speed (refsvc_clock *c);

/* ------------------------------------------------------------------------ */
/* Faults (refsvc-faults.c)                                                 */

typedef enum {
  REFSVC_FAULT_NONE = 0,
  REFSVC_FAULT_DROP,              /* close mid-request, nothing done */
  REFSVC_FAULT_ERROR500,
  REFSVC_FAULT_TOO_MANY,          /* 429 + Retry-After */
  REFSVC_FAULT_UNAVAILABLE,       /* 503 + Retry-After */
  REFSVC_FAULT_ACCEPT_THEN_DROP,  /* do it, then close without answering */
  REFSVC_FAULT_N
} refsvc_fault;

typedef struct refsvc_faults refsvc_faults;

refsvc_faults *refsvc_faults_new (guint64 seed);
void           refsvc_faults_free (refsvc_faults *f);
/* Replaces the switches from a JSON object (PUT /admin/faults).  FALSE
 * and *message when a member is malformed (nothing changed then). */
gboolean       refsvc_faults_set (refsvc_faults *f, JsonObject *o, char **message);
void           refsvc_faults_clear (refsvc_faults *f);
JsonNode      *refsvc_faults_to_json (refsvc_faults *f);
/* For a request to path: the fault to inject up front (DROP, ERROR500,
 * TOO_MANY, UNAVAILABLE, or NONE), and the added latency. */
refsvc_fault   refsvc_faults_decide (refsvc_faults *f, const char *path,
                                     guint *latency_ms, guint *retry_after);
/* After a successful write (2xx to a POST): TRUE when acceptThenDrop
 * fires for it (consumes one count). */
gboolean       refsvc_faults_take_accept_then_drop (refsvc_faults *f, const char *path);

/* ------------------------------------------------------------------------ */
/* Tokens (refsvc-auth.c)                                                   */

typedef struct refsvc_tokens refsvc_tokens;

refsvc_tokens *refsvc_tokens_new (void);
void           refsvc_tokens_free (refsvc_tokens *t);
/* New bearer token for device, valid ttl seconds (real time); the secret
 * is returned once and only its SHA-256 is kept. */
char          *refsvc_tokens_issue (refsvc_tokens *t, const refsvc_device *device,
                                    gint64 ttl, gint64 *expires_at);
/* NULL when token is valid for device, else an auth.* code. */
const char    *refsvc_tokens_check (refsvc_tokens *t, const char *token,
                                    const refsvc_device *device);
/* Expires every token issued so far (admin fault "token expiry mid-run"). */
guint          refsvc_tokens_expire_all (refsvc_tokens *t);

/* BHXH gateway sessions: access_token + id_token for a username. */
void           refsvc_tokens_gateway_issue (refsvc_tokens *t, const char *username,
                                            gint64 ttl, char **access_token, char **id_token);
gboolean       refsvc_tokens_gateway_check (refsvc_tokens *t, const char *username,
                                            const char *access_token, const char *id_token);

/* ------------------------------------------------------------------------ */
/* Statistics (refsvc-admin.c)                                              */

typedef enum {
  REFSVC_STAT_REQUESTS,
  REFSVC_STAT_REJECTED,           /* answered 4xx */
  REFSVC_STAT_TOKENS,
  REFSVC_STAT_DOSSIERS,           /* created */
  REFSVC_STAT_SUPPLEMENTS,
  REFSVC_STAT_DUPLICATES,         /* idempotent replays of dossiers */
  REFSVC_STAT_CONFLICTS,
  REFSVC_STAT_DOCUMENTS,          /* hospital documents created */
  REFSVC_STAT_DOCUMENT_DUPLICATES,
  REFSVC_STAT_LATENCY_INJECTED,
  REFSVC_STAT_FAULT_DROP,
  REFSVC_STAT_FAULT_ERROR500,
  REFSVC_STAT_FAULT_TOO_MANY,
  REFSVC_STAT_FAULT_UNAVAILABLE,
  REFSVC_STAT_FAULT_ACCEPT_THEN_DROP,
  REFSVC_STAT_N
} refsvc_stat;

/* ------------------------------------------------------------------------ */
/* The service                                                              */

typedef struct refsvc refsvc;

struct refsvc {
  refsvc_config  cfg;
  refsvc_trust  *trust;
  refsvc_store  *store;
  refsvc_clock  *clock;
  refsvc_faults *faults;
  refsvc_tokens *tokens;
  GMutex         bo_lock;     /* guards cfg.bo and cfg.token_ttl */
  gboolean       xmldoc_ready;
  gint           stats[REFSVC_STAT_N];   /* atomics */
  struct MHD_Daemon *api;
  struct MHD_Daemon *admin;
  guint16        api_port;
  guint16        admin_port;
};

/* Loads trust, code lists and the store, starts both daemons. */
refsvc *refsvc_start (refsvc_config *cfg /* taken */, GError **error);
void    refsvc_stop (refsvc *svc);
/* Applies the back-office transitions due now (the realtime ticker and
 * every status read call it). */
void    refsvc_tick (refsvc *svc);
refsvc_backoffice_config refsvc_bo_config (refsvc *svc);
void    refsvc_stat_inc (refsvc *svc, refsvc_stat s);

/* ------------------------------------------------------------------------ */
/* Requests and answers (refsvc-http.c)                                      */

typedef struct {
  refsvc                 *svc;
  struct MHD_Connection  *conn;
  const char             *method;
  const char             *path;
  char                   *params[2];   /* {placeholders} of the route */
  const guint8           *body;
  gsize                   body_len;
  const refsvc_device    *device;      /* verified mTLS device (API daemon) */
} refsvc_request;

typedef struct {
  guint    status;
  char    *content_type;   /* default application/json; charset=utf-8 */
  char    *body;
  gsize    body_len;
  gboolean replayed;       /* Idempotent-Replay: true */
  gboolean committed;      /* something new was stored (acceptThenDrop may fire) */
  guint    retry_after;
  char    *location;
} refsvc_response;

void refsvc_response_clear (refsvc_response *r);
/* Takes json (a NUL-terminated JSON text). */
void refsvc_response_json (refsvc_response *r, guint status, char *json);
void refsvc_response_node (refsvc_response *r, guint status, JsonNode *node);
void refsvc_response_error (refsvc_response *r, const char *code);
void refsvc_response_take_error (refsvc_response *r, refsvc_error *e);

const char *refsvc_request_header (const refsvc_request *req, const char *name);
const char *refsvc_request_query (const refsvc_request *req, const char *name);

typedef void (*refsvc_handler) (const refsvc_request *req, refsvc_response *resp);

/* Route flags */
#define REFSVC_ROUTE_TOKEN      (1u << 0)  /* needs a bearer token */
#define REFSVC_ROUTE_DOSSIERS   (1u << 1)  /* counter and kiosk devices */
#define REFSVC_ROUTE_HOSPITAL   (1u << 2)  /* hospital devices */
#define REFSVC_ROUTE_ANY_DEVICE (REFSVC_ROUTE_DOSSIERS | REFSVC_ROUTE_HOSPITAL)

typedef struct {
  const char    *method;
  const char    *pattern;   /* "/v1/dossiers/{}" */
  guint          flags;
  refsvc_handler handler;
} refsvc_route;

/* Route tables (refsvc-api.c, refsvc-gateway.c, refsvc-admin.c), each
 * terminated by a NULL method. */
extern const refsvc_route refsvc_api_routes[];
extern const refsvc_route refsvc_gateway_routes[];
extern const refsvc_route refsvc_admin_routes[];

/* The daemons (refsvc-http.c), started by refsvc_start. */
gboolean refsvc_http_start (refsvc *svc, GError **error);
void     refsvc_http_stop (refsvc *svc);

/* Small JSON helpers shared by the handlers */

#endif
