/* motcua-signer-p11.c — PKCS#11 plumbing for the signer and the device key
 *
 * libp11 loads the module, lists tokens, logs in and hands out EVP_PKEYs.
 * Two things it does not do well in 0.4.12 are done here:
 *   - the CK_RV of a failed login is read back from the OpenSSL error
 *     queue (libp11 raises it under its "PKCS#11 module" library, whose
 *     number ERR_get_CKR_code() gives);
 *   - the PIN flags (CKF_USER_PIN_COUNT_LOW / FINAL_TRY / LOCKED) are read
 *     with the module's own C_GetTokenInfo, because libp11 caches token
 *     flags from enumeration time and its PKCS11_update_slots crashes.  The
 *     module is already loaded by libp11; dlopen(RTLD_NOLOAD) only finds it. */
#define G_LOG_DOMAIN "motcua-signer"

#include <dlfcn.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <p11-kit/pkcs11.h>

#include "motcua-error.h"
#include "motcua-signer-private.h"

gboolean
motcua_p11_load (MotcuaP11 *p, const char *module_path, GError **error)
{
  g_return_val_if_fail (p != NULL, FALSE);
  memset (p, 0, sizeof *p);
  if (module_path == NULL || *module_path == '\0')
    {
      motcua_error_set (error, MOTCUA_ERROR_CONFIG, _("chưa cấu hình thư viện PKCS#11 (no PKCS#11 module configured)"));
      return FALSE;
    }
  p->module_path = g_strdup (module_path);
  p->ctx = PKCS11_CTX_new ();
  if (p->ctx == NULL || PKCS11_CTX_load (p->ctx, module_path) != 0)
    {
      ERR_clear_error ();
      motcua_error_set (error, MOTCUA_ERROR_TOKEN_MODULE, "%s", module_path);
      return FALSE;
    }
  p->loaded = TRUE;
  if (PKCS11_enumerate_slots (p->ctx, &p->slots, &p->nslots) != 0)
    {
      ERR_clear_error ();
      p->slots = NULL;
      p->nslots = 0;
      motcua_error_set (error, MOTCUA_ERROR_TOKEN_MODULE, _("không liệt kê được khe (cannot list slots)"));
      return FALSE;
    }
  return TRUE;
}

gboolean
motcua_p11_select (MotcuaP11 *p, const char *label, GError **error)
{
  g_return_val_if_fail (p != NULL && p->ctx != NULL, FALSE);
  for (unsigned int i = 0; i < p->nslots; i++)
    {
      PKCS11_TOKEN *t = p->slots[i].token;
      if (t == NULL || !t->initialized)
        continue;
      if (label == NULL || g_strcmp0 (t->label, label) == 0)
        {
          p->slot = &p->slots[i];
          return TRUE;
        }
    }
  if (label != NULL)
    motcua_error_set (error, MOTCUA_ERROR_TOKEN_ABSENT, _("không có thiết bị nhãn \"%s\" (no token labelled \"%s\")"), label, label);
  else
    motcua_error_set (error, MOTCUA_ERROR_TOKEN_ABSENT, NULL);
  return FALSE;
}

void
motcua_p11_clear (MotcuaP11 *p)
{
  if (p == NULL)
    return;
  if (p->slots != NULL)
    PKCS11_release_all_slots (p->ctx, p->slots, p->nslots);
  if (p->loaded)
    PKCS11_CTX_unload (p->ctx);
  if (p->ctx != NULL)
    PKCS11_CTX_free (p->ctx);
  g_free (p->module_path);
  memset (p, 0, sizeof *p);
  ERR_clear_error ();
}

/* The module's C_GetTokenInfo for the chosen slot; FALSE when unavailable. */
static gboolean
token_flags (MotcuaP11 *p, CK_FLAGS *flags)
{
  gboolean ok = FALSE;

  if (p->slot == NULL)
    return FALSE;
  void *h = dlopen (p->module_path, RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
  if (h == NULL)
    return FALSE;
  CK_C_GetFunctionList get_list = (CK_C_GetFunctionList) dlsym (h, "C_GetFunctionList");
  CK_FUNCTION_LIST_PTR f = NULL;
  CK_TOKEN_INFO info;
  if (get_list != NULL && get_list (&f) == CKR_OK && f != NULL
      && f->C_GetTokenInfo (PKCS11_get_slotid_from_slot (p->slot), &info) == CKR_OK)
    {
      *flags = info.flags;
      ok = TRUE;
    }
  dlclose (h);
  return ok;
}

MotcuaPinState
motcua_p11_pin_state (MotcuaP11 *p)
{
  CK_FLAGS flags = 0;

  g_return_val_if_fail (p != NULL, MOTCUA_PIN_OK);
  if (!token_flags (p, &flags))
    {
      if (p->slot == NULL || p->slot->token == NULL)
        return MOTCUA_PIN_OK;
      /* Fall back on libp11's cached view. */
      flags = (p->slot->token->userPinLocked ? CKF_USER_PIN_LOCKED : 0)
              | (p->slot->token->userPinFinalTry ? CKF_USER_PIN_FINAL_TRY : 0)
              | (p->slot->token->userPinCountLow ? CKF_USER_PIN_COUNT_LOW : 0);
    }
  if (flags & CKF_USER_PIN_LOCKED)
    return MOTCUA_PIN_LOCKED;
  if (flags & CKF_USER_PIN_FINAL_TRY)
    return MOTCUA_PIN_FINAL_TRY;
  if (flags & CKF_USER_PIN_COUNT_LOW)
    return MOTCUA_PIN_COUNT_LOW;
  return MOTCUA_PIN_OK;
}

gboolean
motcua_p11_has_pin_pad (MotcuaP11 *p)
{
  CK_FLAGS flags = 0;

  g_return_val_if_fail (p != NULL, FALSE);
  if (token_flags (p, &flags))
    return (flags & CKF_PROTECTED_AUTHENTICATION_PATH) != 0;
  return p->slot != NULL && p->slot->token != NULL && p->slot->token->secureLogin;
}

/* The CK_RV libp11 left in the error queue, or CKR_GENERAL_ERROR. */
static unsigned long
last_ckr (void)
{
  unsigned long e, rv = CKR_GENERAL_ERROR;
  int lib = ERR_get_CKR_code ();

  while ((e = ERR_get_error ()) != 0)
    if (ERR_GET_LIB (e) == lib)
      rv = ERR_GET_REASON (e);
  return rv;
}

gboolean
motcua_p11_login (MotcuaP11 *p, const char *pin, GError **error)
{
  g_return_val_if_fail (p != NULL, FALSE);
  if (p->slot == NULL)
    {
      motcua_error_set (error, MOTCUA_ERROR_TOKEN_ABSENT, NULL);
      return FALSE;
    }
  int logged_in = 0;
  if (PKCS11_is_logged_in (p->slot, 0, &logged_in) == 0 && logged_in)
    return TRUE;
  ERR_clear_error ();
  if (PKCS11_login (p->slot, 0, pin) == 0)
    return TRUE;

  unsigned long rv = last_ckr ();
  switch (rv)
    {
    case CKR_PIN_INCORRECT:
    case CKR_PIN_INVALID:
    case CKR_PIN_LEN_RANGE:
      switch (motcua_p11_pin_state (p))
        {
        case MOTCUA_PIN_LOCKED:
          motcua_error_set (error, MOTCUA_ERROR_PIN_LOCKED, NULL);
          break;
        case MOTCUA_PIN_FINAL_TRY:
          motcua_error_set (error, MOTCUA_ERROR_PIN_INCORRECT,
                            _("chỉ còn một lần thử, sai nữa thiết bị sẽ bị khoá (one try left)"));
          break;
        case MOTCUA_PIN_COUNT_LOW:
          motcua_error_set (error, MOTCUA_ERROR_PIN_INCORRECT,
                            _("số lần thử còn ít (tries running low)"));
          break;
        case MOTCUA_PIN_OK:
        default:
          motcua_error_set (error, MOTCUA_ERROR_PIN_INCORRECT, NULL);
          break;
        }
      break;
    case CKR_PIN_LOCKED:
      motcua_error_set (error, MOTCUA_ERROR_PIN_LOCKED, NULL);
      break;
    case CKR_FUNCTION_CANCELED:
      motcua_error_set (error, MOTCUA_ERROR_PIN_CANCELLED, NULL);
      break;
    case CKR_TOKEN_NOT_PRESENT:
    case CKR_DEVICE_REMOVED:
      motcua_error_set (error, MOTCUA_ERROR_TOKEN_ABSENT, NULL);
      break;
    default:
      motcua_error_set (error, MOTCUA_ERROR_SIGN_FAILED, "C_Login: CKR 0x%lx", rv);
      break;
    }
  return FALSE;
}

char *
motcua_p11_spki_fingerprint (EVP_PKEY *pkey)
{
  unsigned char *der = NULL;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;

  g_return_val_if_fail (pkey != NULL, NULL);
  int n = i2d_PUBKEY (pkey, &der);
  if (n <= 0 || EVP_Digest (der, (size_t) n, md, &md_len, EVP_sha256 (), NULL) != 1)
    {
      OPENSSL_free (der);
      ERR_clear_error ();
      return NULL;
    }
  OPENSSL_free (der);
  GString *hex = g_string_sized_new (17);
  for (unsigned int i = 0; i < 8; i++)
    g_string_append_printf (hex, "%02x", md[i]);
  return g_string_free (hex, FALSE);
}

EVP_PKEY *
motcua_p11_public_copy (EVP_PKEY *pkey)
{
  unsigned char *der = NULL;

  g_return_val_if_fail (pkey != NULL, NULL);
  int n = i2d_PUBKEY (pkey, &der);
  if (n <= 0)
    {
      ERR_clear_error ();
      return NULL;
    }
  const unsigned char *q = der;
  EVP_PKEY *pub = d2i_PUBKEY (NULL, &q, n);
  OPENSSL_free (der);
  if (pub == NULL)
    ERR_clear_error ();
  return pub;
}
