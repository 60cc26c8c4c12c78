/* service-harness.c — the motcua-refsvc process and a libcurl client
 * (see service-harness.h). */
#include "service-harness.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <glib/gstdio.h>

#include "motcua-config.h"

#define START_TIMEOUT_S 60   /* guard against a hung start, not a measurement */
#define STOP_TIMEOUT_S  30

/* ------------------------------------------------------------ paths */

static char *
source_root (void)
{
  const char *env = g_getenv ("MOTCUA_SOURCE_ROOT");
  return g_strdup (env && *env ? env : MOTCUA_SOURCE_ROOT);
}

static char *
service_binary (void)
{
  const char *env = g_getenv ("MOTCUA_REFSVC");
  if (env && *env)
    return g_strdup (env);
  env = g_getenv ("MOTCUA_BUILD_ROOT");
  return g_build_filename (env && *env ? env : ".", "tests", "refsvc", "motcua-refsvc", NULL);
}

static void
remove_tree (const char *path)
{
  GStatBuf st;
  if (g_lstat (path, &st) != 0)
    return;
  if (S_ISDIR (st.st_mode))
    {
      GDir *dir = g_dir_open (path, 0, NULL);
      const char *name;
      while (dir && (name = g_dir_read_name (dir)))
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
        }
      if (dir)
        g_dir_close (dir);
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

/* ------------------------------------------------------------ the process */

void
svc_global_init (void)
{
  static gsize once = 0;
  if (g_once_init_enter (&once))
    {
      curl_global_init (CURL_GLOBAL_DEFAULT);
      g_once_init_leave (&once, 1);
    }
}

/* Copies what the service prints after its URL lines to our stderr, so
 * that the pipe never fills up and its messages land in the test log. */
static gpointer
drain_stdout (gpointer data)
{
  GInputStream *in = data;
  char buf[4096];
  gssize n;
  while ((n = g_input_stream_read (in, buf, sizeof buf, NULL, NULL)) > 0)
    fwrite (buf, 1, (size_t) n, stderr);
  g_object_unref (in);
  return NULL;
}

/* Reads stdout until both MOTCUA_SERVICE_* lines arrived (or EOF, or the
 * deadline).  Bytes after them are echoed to stderr. */
static gboolean
read_urls (svc_service *s, GInputStream *in)
{
  int fd = g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (in));
  gint64 deadline = g_get_monotonic_time () + START_TIMEOUT_S * G_USEC_PER_SEC;
  g_autoptr(GString) acc = g_string_new (NULL);
  while (!s->url || !s->admin_url)
    {
      gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
      if (left <= 0)
        {
          fprintf (stderr, "service-harness: no URL lines within %d s\n", START_TIMEOUT_S);
          return FALSE;
        }
      GPollFD pfd = { fd, G_IO_IN | G_IO_HUP | G_IO_ERR, 0 };
      if (g_poll (&pfd, 1, (gint) MIN (left, 1000)) <= 0)
        continue;
      char buf[1024];
      ssize_t n = read (fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          fprintf (stderr, "service-harness: service ended before printing its URLs\n");
          return FALSE;
        }
      g_string_append_len (acc, buf, n);
      char *nl;
      while ((nl = memchr (acc->str, '\n', acc->len)))
        {
          g_autofree char *line = g_strndup (acc->str, (gsize) (nl - acc->str));
          g_string_erase (acc, 0, nl - acc->str + 1);
          g_strchomp (line);
          if (g_str_has_prefix (line, "MOTCUA_SERVICE_URL=") && !s->url)
            s->url = g_strdup (line + strlen ("MOTCUA_SERVICE_URL="));
          else if (g_str_has_prefix (line, "MOTCUA_SERVICE_ADMIN=") && !s->admin_url)
            s->admin_url = g_strdup (line + strlen ("MOTCUA_SERVICE_ADMIN="));
          else
            fprintf (stderr, "%s\n", line);
        }
    }
  if (acc->len)
    fwrite (acc->str, 1, acc->len, stderr);
  return TRUE;
}

svc_service *
svc_start (const char *const *extra_args)
{
  svc_global_init ();
  svc_service *s = g_new0 (svc_service, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *root = source_root ();
  s->pki_dir = g_build_filename (root, "certs", "test", "service", NULL);
  s->state_dir = g_dir_make_tmp ("motcua-refsvc-XXXXXX", &error);
  if (!s->state_dir)
    {
      fprintf (stderr, "service-harness: temp dir: %s\n", error->message);
      svc_stop (s);
      return NULL;
    }
  g_autofree char *bin = service_binary ();
  g_autofree char *codes = g_build_filename (root, "data", "codes", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, bin);
  g_ptr_array_add (argv, "--pki");
  g_ptr_array_add (argv, s->pki_dir);
  g_ptr_array_add (argv, "--state");
  g_ptr_array_add (argv, s->state_dir);
  g_ptr_array_add (argv, "--port");
  g_ptr_array_add (argv, "0");
  g_ptr_array_add (argv, "--admin-port");
  g_ptr_array_add (argv, "0");
  g_ptr_array_add (argv, "--clock");
  g_ptr_array_add (argv, "stepped");
  if (g_file_test (codes, G_FILE_TEST_IS_DIR))
    {
      g_ptr_array_add (argv, "--codes");
      g_ptr_array_add (argv, codes);
    }
  for (size_t i = 0; extra_args && extra_args[i]; i++)
    g_ptr_array_add (argv, (gpointer) extra_args[i]);
  g_ptr_array_add (argv, NULL);

  s->proc = g_subprocess_newv ((const char *const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  if (!s->proc)
    {
      fprintf (stderr, "service-harness: cannot start %s: %s\n", bin, error->message);
      svc_stop (s);
      return NULL;
    }
  GInputStream *out = g_subprocess_get_stdout_pipe (s->proc);
  if (!read_urls (s, out))
    {
      svc_stop (s);
      return NULL;
    }
  s->drain = g_thread_new ("refsvc-stdout", drain_stdout, g_object_ref (out));
  return s;
}

static void
wait_done (GObject *src, GAsyncResult *res, gpointer data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (src), res, NULL);
  *(gboolean *) data = TRUE;
}

static gboolean
wait_timeout (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Waits for the child at most seconds; FALSE when it is still running. */
static gboolean
wait_for_exit (GSubprocess *proc, guint seconds)
{
  GMainContext *ctx = g_main_context_new ();
  g_main_context_push_thread_default (ctx);
  gboolean done = FALSE, timed_out = FALSE;
  g_subprocess_wait_async (proc, NULL, wait_done, &done);
  GSource *t = g_timeout_source_new_seconds (seconds);
  g_source_set_callback (t, wait_timeout, &timed_out, NULL);
  g_source_attach (t, ctx);
  while (!done && !timed_out)
    g_main_context_iteration (ctx, TRUE);
  g_source_destroy (t);
  g_source_unref (t);
  /* Let the wait finish even after a timeout (force_exit follows). */
  while (!done && g_main_context_pending (ctx))
    g_main_context_iteration (ctx, FALSE);
  g_main_context_pop_thread_default (ctx);
  if (!done)
    {
      g_subprocess_force_exit (proc);
      g_subprocess_wait (proc, NULL, NULL);
    }
  g_main_context_unref (ctx);
  return done;
}

gboolean
svc_stop (svc_service *s)
{
  gboolean clean = TRUE;
  if (!s)
    return TRUE;
  if (s->proc)
    {
      g_subprocess_send_signal (s->proc, SIGTERM);
      if (!wait_for_exit (s->proc, STOP_TIMEOUT_S))
        {
          fprintf (stderr, "service-harness: service ignored SIGTERM for %d s, killed\n",
                   STOP_TIMEOUT_S);
          clean = FALSE;
        }
      else if (g_subprocess_get_if_exited (s->proc))
        {
          int code = g_subprocess_get_exit_status (s->proc);
          if (code != 0)
            {
              fprintf (stderr, "service-harness: service exited with status %d\n", code);
              clean = FALSE;
            }
        }
      else if (g_subprocess_get_if_signaled (s->proc)
               && g_subprocess_get_term_sig (s->proc) != SIGTERM)
        {
          fprintf (stderr, "service-harness: service killed by signal %d\n",
                   g_subprocess_get_term_sig (s->proc));
          clean = FALSE;
        }
      if (s->drain)
        g_thread_join (s->drain);
      g_object_unref (s->proc);
    }
  if (s->state_dir && !g_getenv ("MOTCUA_KEEP_STATE"))
    remove_tree (s->state_dir);
  g_free (s->state_dir);
  g_free (s->pki_dir);
  g_free (s->url);
  g_free (s->admin_url);
  g_free (s);
  return clean;
}

/* ------------------------------------------------------------ HTTP */

struct svc_client {
  CURL         *curl;
  char         *base_url;
  svc_response *cur;   /* being filled by the callbacks */
  GByteArray   *buf;
  long          connects;
};

void
svc_response_free (svc_response *r)
{
  if (!r)
    return;
  g_free (r->body);
  if (r->headers)
    g_hash_table_unref (r->headers);
  if (r->json)
    json_node_unref (r->json);
  g_free (r);
}

const char *
svc_response_header (const svc_response *r, const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);
  return r->headers ? g_hash_table_lookup (r->headers, lower) : NULL;
}

static size_t
on_body (char *data, size_t size, size_t n, void *user)
{
  svc_client *c = user;
  g_byte_array_append (c->buf, (const guint8 *) data, (guint) (size * n));
  return size * n;
}

static size_t
on_header (char *data, size_t size, size_t n, void *user)
{
  svc_client *c = user;
  size_t len = size * n;
  const char *colon = memchr (data, ':', len);
  if (colon)
    {
      g_autofree char *name = g_ascii_strdown (data, colon - data);
      g_autofree char *value = g_strndup (colon + 1, len - (size_t) (colon + 1 - data));
      g_hash_table_replace (c->cur->headers, g_steal_pointer (&name),
                            g_strdup (g_strstrip (value)));
    }
  else if (g_str_has_prefix (data, "HTTP/"))
    g_hash_table_remove_all (c->cur->headers);   /* a new header block */
  return len;
}

svc_client *
svc_client_new (const char *base_url, const char *pki_dir, const char *device)
{
  svc_global_init ();
  svc_client *c = g_new0 (svc_client, 1);
  c->curl = curl_easy_init ();
  c->base_url = g_strdup (base_url);
  g_autofree char *ca = g_build_filename (pki_dir, "service-ca-TEST-ONLY.pem", NULL);
  curl_easy_setopt (c->curl, CURLOPT_CAINFO, ca);
  curl_easy_setopt (c->curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt (c->curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (device)
    {
      g_autofree char *leaf = g_strdup_printf ("%s/%s.pem", pki_dir, device);
      g_autofree char *key = g_strdup_printf ("%s/%s.key", pki_dir, device);
      curl_easy_setopt (c->curl, CURLOPT_SSLCERT, leaf);
      curl_easy_setopt (c->curl, CURLOPT_SSLKEY, key);
    }
  curl_easy_setopt (c->curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (c->curl, CURLOPT_CONNECTTIMEOUT, 30L);
  curl_easy_setopt (c->curl, CURLOPT_TIMEOUT, 120L);   /* a hang guard only */
  curl_easy_setopt (c->curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt (c->curl, CURLOPT_WRITEDATA, c);
  curl_easy_setopt (c->curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt (c->curl, CURLOPT_HEADERDATA, c);
  return c;
}

long
svc_client_connects (const svc_client *c)
{
  return c->connects;
}

void
svc_client_free (svc_client *c)
{
  if (!c)
    return;
  curl_easy_cleanup (c->curl);
  g_free (c->base_url);
  g_free (c);
}

svc_response *
svc_client_request (svc_client *c, const char *method, const char *path,
                    const char *token, const char *content_type,
                    const void *body, gsize len, const char *const *headers)
{
  svc_response *r = g_new0 (svc_response, 1);
  r->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  c->cur = r;
  c->buf = g_byte_array_new ();
  g_autofree char *url = path[0] == '/' ? g_strconcat (c->base_url, path, NULL) : g_strdup (path);
  CURL *h = c->curl;
  curl_easy_setopt (h, CURLOPT_URL, url);
  curl_easy_setopt (h, CURLOPT_ERRORBUFFER, r->curl_error);
  curl_easy_setopt (h, CURLOPT_CUSTOMREQUEST, NULL);
  if (!strcmp (method, "GET") || (!body && strcmp (method, "POST") && strcmp (method, "PUT")))
    curl_easy_setopt (h, CURLOPT_HTTPGET, 1L);
  else
    {
      curl_easy_setopt (h, CURLOPT_POST, 1L);
      curl_easy_setopt (h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) (body ? len : 0));
      curl_easy_setopt (h, CURLOPT_POSTFIELDS, body ? body : "");
    }
  if (strcmp (method, "GET") && strcmp (method, "POST"))
    curl_easy_setopt (h, CURLOPT_CUSTOMREQUEST, method);

  struct curl_slist *hl = NULL;
  g_autofree char *auth = token ? g_strdup_printf ("Authorization: Bearer %s", token) : NULL;
  g_autofree char *ct = g_strdup_printf ("Content-Type:%s%s", content_type ? " " : "",
                                         content_type ? content_type : "");
  if (auth)
    hl = curl_slist_append (hl, auth);
  hl = curl_slist_append (hl, ct);   /* "Content-Type:" alone removes curl's default */
  hl = curl_slist_append (hl, "Expect:");
  for (size_t i = 0; headers && headers[i]; i++)
    hl = curl_slist_append (hl, headers[i]);
  curl_easy_setopt (h, CURLOPT_HTTPHEADER, hl);

  r->curl_code = curl_easy_perform (h);
  if (r->curl_code == CURLE_OK)
    curl_easy_getinfo (h, CURLINFO_RESPONSE_CODE, &r->status);
  long fresh = 0;
  if (curl_easy_getinfo (h, CURLINFO_NUM_CONNECTS, &fresh) == CURLE_OK)
    c->connects += fresh;
  curl_easy_setopt (h, CURLOPT_HTTPHEADER, NULL);
  curl_easy_setopt (h, CURLOPT_ERRORBUFFER, NULL);
  curl_slist_free_all (hl);

  r->body_len = c->buf->len;
  g_byte_array_append (c->buf, (const guint8 *) "", 1);
  r->body = (char *) g_byte_array_free (c->buf, FALSE);
  c->buf = NULL;
  c->cur = NULL;
  if (r->body_len)
    {
      g_autoptr(JsonParser) p = json_parser_new ();
      if (json_parser_load_from_data (p, r->body, (gssize) r->body_len, NULL)
          && json_parser_get_root (p))
        r->json = json_node_copy (json_parser_get_root (p));
    }
  return r;
}

svc_response *
svc_request (svc_service *s, const char *method, const char *path, const char *device,
             const char *token, const char *content_type, const void *body, gsize len)
{
  g_autoptr(svc_client) c = svc_client_new (s->url, s->pki_dir, device);
  return svc_client_request (c, method, path, token, content_type, body, len, NULL);
}

JsonNode *
svc_admin (svc_service *s, const char *method, const char *path, const char *json_body,
           long *status)
{
  g_autoptr(svc_client) c = svc_client_new (s->admin_url, s->pki_dir, NULL);
  g_autoptr(svc_response) r = svc_client_request (c, method, path, NULL,
                                                  json_body ? "application/json" : NULL,
                                                  json_body, json_body ? strlen (json_body) : 0,
                                                  NULL);
  if (status)
    *status = r->status;
  if (r->status < 200 || r->status > 299)
    fprintf (stderr, "service-harness: admin %s %s → %ld (%s) %s\n", method, path, r->status,
             r->curl_code ? r->curl_error : "", r->body);
  return r->json ? json_node_ref (r->json) : NULL;
}

gboolean
svc_set_faults (svc_service *s, const char *json)
{
  long status = 0;
  JsonNode *n = svc_admin (s, "PUT", "/admin/faults", json, &status);
  if (n)
    json_node_unref (n);
  return status >= 200 && status <= 299;
}

gint64
svc_stat (svc_service *s, const char *pointer)
{
  g_autoptr(JsonNode) n = svc_admin (s, "GET", "/admin/stats", NULL, NULL);
  return n ? svc_json_int (n, pointer) : -1;
}

guint
svc_admin_count_transaction (svc_service *s, const char *transaction_id)
{
  g_autoptr(JsonNode) n = svc_admin (s, "GET", "/admin/dossiers", NULL, NULL);
  guint count = 0, len = svc_json_len (n, "/dossiers");
  for (guint i = 0; i < len; i++)
    {
      g_autofree char *p = g_strdup_printf ("/dossiers/%u/transactionId", i);
      const char *t = svc_json_str (n, p);
      count += t && !strcmp (t, transaction_id);
    }
  return count;
}

char *
svc_token (svc_service *s, const char *device)
{
  g_autoptr(svc_response) r = svc_request (s, "POST", "/v1/auth/token", device, NULL, NULL,
                                           NULL, 0);
  const char *tok = r->status == 200 ? svc_json_str (r->json, "/access_token") : NULL;
  if (!tok)
    fprintf (stderr, "service-harness: token for %s: %ld %s %s\n", device, r->status,
             r->curl_error, r->body);
  return g_strdup (tok);
}

svc_response *
svc_submit (svc_service *s, const char *device, const char *token, const char *envelope)
{
  return svc_request (s, "POST", "/v1/dossiers", device, token, "application/json",
                      envelope, strlen (envelope));
}

svc_response *
svc_submit_as (svc_service *s, const char *device, const char *envelope)
{
  g_autofree char *tok = svc_token (s, device);
  return svc_submit (s, device, tok, envelope);
}

svc_response *
svc_get_as (svc_service *s, const char *device, const char *path)
{
  g_autofree char *tok = svc_token (s, device);
  return svc_request (s, "GET", path, device, tok, NULL, NULL, 0);
}
