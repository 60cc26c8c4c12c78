/* testsign.h — test-side signers for the reference service's tests and
 * benchmark (file keys from certs/test/service; never used by motcua
 * itself, whose signing goes through PKCS#11 in client/).
 *
 * testsign-cms.c       detached CAdES-BES CMS over a payload
 * testsign-xml.c       BHXH birth certificate / death notice XML, signed
 *                      with the PL02 XML-DSig profile
 * testsign-presence.c  card-presence proof from the card simulator's chip */
#ifndef TESTSIGN_H
#define TESTSIGN_H

#include <glib.h>

/* The service test PKI directory: $MOTCUA_SOURCE_ROOT/certs/test/service
 * (or the compiled-in source root).  Newly allocated. */
char *testsign_pki_dir (void);

/* Detached CMS SignedData (DER) over data with NAME.pem/NAME.key from
 * the PKI dir (e.g. "clerk-ec-TEST-ONLY"): signed attributes
 * contentType, messageDigest, signingTime, ESS signingCertificateV2;
 * SHA-256; the signer certificate included.  NULL on error. */
GBytes *testsign_cms (const char *signer_name, const guint8 *data, gsize len);

/* A complete, plausible BHXH package (docs/protocol-hospital.md):
 * loai_hs 61 → HSDLGCS/GIAYCHUNGSINH with MA_GCS = code, 60 →
 * HSDLGBT/GIAYBAOTU with MA_GBT = code (MACSKCB = facility), signed with
 * signer_name (RSA or EC).  overrides: NULL-terminated list of
 * "ELEMENT", "value" pairs applied before signing (value NULL removes the
 * element).  NULL on error. */
GBytes *testsign_xml_document (int loai_hs, const char *code, const char *facility,
                               const char *signer_name, const char *const *overrides);

/* A card-presence proof for payload from the simulated card of profile
 * (e.g. "cccd-2021"; tests/cardsim/profiles/<profile>.conf): AA over the
 * first 8 bytes of SHA-256(payload), plus that card's DG15 and EF.SOD.
 * Returns TRUE and three new GBytes on success. */
gboolean testsign_presence (const char *profile, const guint8 *payload, gsize len,
                            GBytes **aa_signature, GBytes **dg15, GBytes **sod);

#endif
