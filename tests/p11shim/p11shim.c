/* p11shim.c — a PKCS#11 module for tests that forwards to SoftHSM2 but
 * keeps its own count of wrong user PINs.
 *
 * SoftHSM2 never locks a PIN and never sets CKF_USER_PIN_COUNT_LOW /
 * FINAL_TRY / LOCKED, hence this shim: the client's PIN states and the
 * locked-PIN path can only be tested against a module that does.
 *
 * Environment:
 *   MOTCUA_P11SHIM_TARGET  the real module (libsofthsm2.so), required
 *   MOTCUA_P11SHIM_STATE   a file holding the count of consecutive wrong
 *                          PINs, so the state survives reopening the module
 *                          (absent: counted in memory only)
 *   MOTCUA_P11SHIM_PINPAD  when set, the token claims a PIN pad
 *                          (CKF_PROTECTED_AUTHENTICATION_PATH) and
 *                          C_Login with a NULL PIN logs in with this PIN,
 *                          as if typed on the pad.
 *
 * After 1 wrong PIN: COUNT_LOW; after 2: COUNT_LOW|FINAL_TRY; after 3:
 * LOCKED, and every later C_Login answers CKR_PIN_LOCKED.  A good PIN
 * resets the count.  One count for all slots (tests use one token).
 * TEST ONLY: never install this module. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p11-kit/pkcs11.h>

#define PIN_TRIES 3

static CK_FUNCTION_LIST shim;
static CK_FUNCTION_LIST_PTR target;
static unsigned long memory_count;

static unsigned long
read_count (void)
{
  const char *path = getenv ("MOTCUA_P11SHIM_STATE");
  unsigned long n = 0;

  if (path == NULL || *path == '\0')
    return memory_count;
  FILE *f = fopen (path, "r");
  if (f == NULL)
    return 0;
  if (fscanf (f, "%lu", &n) != 1)
    n = 0;
  fclose (f);
  return n;
}

static void
write_count (unsigned long n)
{
  const char *path = getenv ("MOTCUA_P11SHIM_STATE");

  memory_count = n;
  if (path == NULL || *path == '\0')
    return;
  FILE *f = fopen (path, "w");
  if (f == NULL)
    return;
  fprintf (f, "%lu\n", n);
  fclose (f);
}

static CK_RV
shim_GetTokenInfo (CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info)
{
  CK_RV rv = target->C_GetTokenInfo (slot, info);
  if (rv != CKR_OK)
    return rv;
  unsigned long n = read_count ();
  info->flags &= ~(CK_FLAGS) (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_LOCKED);
  if (n >= PIN_TRIES)
    info->flags |= CKF_USER_PIN_LOCKED;
  else if (n == PIN_TRIES - 1)
    info->flags |= CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY;
  else if (n > 0)
    info->flags |= CKF_USER_PIN_COUNT_LOW;
  if (getenv ("MOTCUA_P11SHIM_PINPAD") != NULL)
    info->flags |= CKF_PROTECTED_AUTHENTICATION_PATH;
  return CKR_OK;
}

static CK_RV
shim_Login (CK_SESSION_HANDLE session, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
  if (user != CKU_USER)
    return target->C_Login (session, user, pin, len);
  if (read_count () >= PIN_TRIES)
    return CKR_PIN_LOCKED;
  const char *pad = getenv ("MOTCUA_P11SHIM_PINPAD");
  if (pin == NULL && pad != NULL)
    {
      pin = (CK_UTF8CHAR_PTR) pad;
      len = strlen (pad);
    }
  CK_RV rv = target->C_Login (session, user, pin, len);
  if (rv == CKR_PIN_INCORRECT)
    write_count (read_count () + 1);
  else if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN)
    write_count (0);
  return rv;
}

CK_RV C_GetFunctionList (CK_FUNCTION_LIST_PTR_PTR list);

CK_RV
C_GetFunctionList (CK_FUNCTION_LIST_PTR_PTR list)
{
  if (list == NULL)
    return CKR_ARGUMENTS_BAD;
  if (target == NULL)
    {
      const char *path = getenv ("MOTCUA_P11SHIM_TARGET");
      void *h = path ? dlopen (path, RTLD_NOW | RTLD_LOCAL) : NULL;
      CK_C_GetFunctionList get = h ? (CK_C_GetFunctionList) dlsym (h, "C_GetFunctionList") : NULL;
      CK_FUNCTION_LIST_PTR t = NULL;
      if (get == NULL || get (&t) != CKR_OK || t == NULL)
        return CKR_GENERAL_ERROR;
      /* The handle stays open for the life of the process. */
      target = t;
      shim = *t;
      shim.C_GetFunctionList = C_GetFunctionList;
      shim.C_GetTokenInfo = shim_GetTokenInfo;
      shim.C_Login = shim_Login;
    }
  *list = &shim;
  return CKR_OK;
}
