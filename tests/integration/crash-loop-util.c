/* crash-loop-util.c — see crash-loop-util.h */
#include <glib/gstdio.h>
#include <stdio.h>

#include "crash-loop-util.h"
#include "motcua-envelope.h"

gboolean
cl_fixture_start (cl_fixture *f, const char *const *extra_args)
{
  memset (f, 0, sizeof *f);
  svc_global_init ();
  f->birth = svc_sample ("birth-valid.json");
  f->death = svc_sample ("death-valid.json");
  if (f->birth == NULL || f->death == NULL)
    return FALSE;
  f->svc = svc_start (extra_args);
  if (f->svc == NULL)
    return FALSE;
  g_autofree char *cert = g_build_filename (f->svc->pki_dir, "clerk-rsa-TEST-ONLY.pem", NULL);
  f->device_key_path = g_build_filename (f->svc->pki_dir, "clerk-rsa-TEST-ONLY.key", NULL);
  g_autoptr(GError) error = NULL;
  f->signer = motcua_signer_open_file (cert, f->device_key_path, &error);
  if (f->signer)
    f->device_key = motcua_device_key_open_file (f->device_key_path, &error);
  if (f->device_key == NULL)
    {
      fprintf (stderr, "keys: %s\n", error->message);
      return FALSE;
    }
  f->dir = g_dir_make_tmp ("motcua-crash-XXXXXX", NULL);
  return f->dir != NULL;
}

gboolean
cl_fixture_stop (cl_fixture *f)
{
  g_clear_pointer (&f->signer, motcua_signer_free);
  g_clear_pointer (&f->device_key, motcua_device_key_free);
  g_clear_pointer (&f->birth, g_bytes_unref);
  g_clear_pointer (&f->death, g_bytes_unref);
  g_clear_pointer (&f->device_key_path, g_free);
  if (f->dir)
    {
      g_autoptr(GDir) d = g_dir_open (f->dir, 0, NULL);
      const char *n;
      while (d && (n = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *p = g_build_filename (f->dir, n, NULL);
          g_unlink (p);
        }
      g_rmdir (f->dir);
      g_clear_pointer (&f->dir, g_free);
    }
  return f->svc == NULL || svc_stop (g_steal_pointer (&f->svc));
}

gboolean
cl_enqueue (cl_fixture *f, MotcuaQueue *q, guint n, GArray *ids)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      MotcuaProcedure proc = i % 2 ? MOTCUA_PROCEDURE_DEATH : MOTCUA_PROCEDURE_BIRTH;
      GBytes *payload = proc == MOTCUA_PROCEDURE_BIRTH ? f->birth : f->death;
      g_autoptr(MotcuaDossier) d = motcua_dossier_new (proc, "00004");
      gint64 id = 0;
      g_autoptr(MotcuaQueueItem) item = NULL;
      g_autoptr(GBytes) cms = NULL;
      g_autoptr(GBytes) body = NULL;
      if (!motcua_queue_add_draft (q, d, "test", &id, &error)
          || (item = motcua_queue_get_by_id (q, id, &error)) == NULL
          || (cms = motcua_signer_sign_cms (f->signer, payload, &error)) == NULL
          || (body = motcua_envelope_build (item->transaction_id, proc, payload, cms,
                                            NULL)) == NULL
          || !motcua_queue_set_signed (q, id, body, "test", &error)
          || !motcua_queue_release (q, id, "test", &error))
        {
          fprintf (stderr, "enqueue: %s\n", error ? error->message : "envelope");
          return FALSE;
        }
      if (ids)
        g_array_append_val (ids, id);
    }
  return TRUE;
}

void
cl_sync_config (cl_fixture *f, MotcuaSyncConfig *c, guint max_parallel)
{
  memset (c, 0, sizeof *c);
  c->service_url = g_strdup (f->svc->url);
  c->service_ca = g_build_filename (f->svc->pki_dir, "service-ca-TEST-ONLY.pem", NULL);
  c->client_cert = g_build_filename (f->svc->pki_dir, SVC_COUNTER ".pem", NULL);
  c->client_key = g_build_filename (f->svc->pki_dir, SVC_COUNTER ".key", NULL);
  c->max_parallel = max_parallel;
  c->timeout_s = 30;
}

guint
cl_count (MotcuaQueue *q, MotcuaItemState state)
{
  guint counts[MOTCUA_ITEM_CANCELLED + 1] = { 0 };
  g_autoptr(GError) error = NULL;
  if (!motcua_queue_count (q, counts, &error))
    {
      fprintf (stderr, "count: %s\n", error->message);
      return G_MAXUINT;
    }
  if (state == 0)
    return counts[MOTCUA_ITEM_QUEUED] + counts[MOTCUA_ITEM_SENDING];
  return counts[state];
}
