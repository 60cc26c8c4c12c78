/* motcua-text.h — Vietnamese text helpers: NFC, name keys, numbers and
 * dates in words */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * motcua_text_nfc:
 * @s: a UTF-8 string
 *
 * Returns: (transfer full) (nullable): @s in Unicode NFC, or %NULL when @s
 * is not valid UTF-8.
 */
char *motcua_text_nfc (const char *s);

/**
 * motcua_text_name_key:
 * @name: a person's name, UTF-8, any normalisation form
 *
 * A comparison key for person names.  Two names get the same key when they
 * differ only in:
 *
 * - Unicode normalisation (NFC/NFD),
 * - letter case (g_utf8_casefold()),
 * - leading/trailing whitespace and runs of whitespace (collapsed to one
 *   U+0020),
 * - tone-mark placement ("old" hòa/thủy/khỏe vs "new" hoà/thuỷ/khoẻ),
 * - i/y after "qu" (quí/quý, quít/quýt).
 *
 * The tone rule (applied per syllable, i.e. per run of letters, to the
 * decomposed, case-folded text) is the "new style" placement of the
 * 1980/1984 Ministry of Education rules:
 *
 * 1. The initial consonant is skipped; the "u" of "qu" and the "i" of "gi"
 *    (when another vowel follows) belong to it.
 * 2. If the vowel cluster has a letter with a shape mark (â ă ê ô ơ ư), the
 *    tone goes on the last such letter (ườ, iế, uố, ửu).
 * 3. Else, if a final consonant follows the cluster, on its last vowel
 *    (hoàng, huỳnh).
 * 4. Else, in an open syllable: one vowel — that vowel; three — the middle
 *    one (khoái, khuỷu); two — the second for "oa", "oe", "uy" (hoà, khoẻ,
 *    thuỷ) and the first otherwise (mùa, hài, kìa).
 *
 * A syllable that has no tone mark, more than one, letters outside the
 * Vietnamese alphabet, or no recognisable vowel cluster is left as it is
 * (so foreign and minority-language names still compare by NFC + case).
 * The key is for comparison only, never for display or sending: send what
 * the citizen's card says.
 *
 * i/y is folded only after "qu": elsewhere (Vy/Vi, Thy/Thi, Ly/Li, Mỹ/Mĩ)
 * the spellings are kept apart because they are in practice different
 * given names.
 *
 * Returns: (transfer full) (nullable): the key (NFC), or %NULL when @name
 * is not valid UTF-8.
 */
char *motcua_text_name_key (const char *name);

/**
 * motcua_text_names_equal:
 * @a: a name
 * @b: another name
 *
 * Returns: %TRUE when motcua_text_name_key() of both is equal; %FALSE when
 * they differ or either is not valid UTF-8.
 */
gboolean motcua_text_names_equal (const char *a, const char *b);

/**
 * motcua_text_number_in_words:
 * @n: a number
 *
 * Vietnamese number words as written on civil status documents, lower case:
 * 0 "không", 15 "mười lăm", 21 "hai mươi mốt", 24 "hai mươi tư",
 * 101 "một trăm linh một", 2005 "hai nghìn không trăm linh năm".
 *
 * Choices: "linh" (not "lẻ") for a zero tens digit; "tư" for 4 only after
 * "mươi" (24 "hai mươi tư", but 4 "bốn", 14 "mười bốn", 104 "một trăm linh
 * bốn"); "mốt" for 1 only after "mươi" (21; but 11 "mười một"); "lăm" for 5
 * after "mười"/"mươi"; "nghìn" (not "ngàn"); "tỷ" (not "tỉ").  A group of
 * three digits below a non-zero higher group is read in full ("không trăm
 * linh …"); all-zero groups are left out (1000005 "một triệu không trăm linh
 * năm").  Above 999 tỷ the count of tỷ is itself read ("một nghìn tỷ").
 *
 * Returns: (transfer full): the words, NFC.
 */
char *motcua_text_number_in_words (guint64 n);

/**
 * motcua_text_date_in_words:
 * @d: a valid date
 *
 * The date in words as for the birth register's "ngày, tháng, năm sinh bằng
 * chữ" (nksNgaySinhBangChu): "Ngày <day>, tháng <month>, năm <year>", e.g.
 * 21/11/2026 "Ngày hai mươi mốt, tháng mười một, năm hai nghìn không trăm hai
 * mươi sáu" (with commas, as the national form writes it).  Day and year use motcua_text_number_in_words() (days 1–10
 * without "mùng"/"mồng", which belong to the lunar calendar: 9 "Ngày chín");
 * months are "một" … "mười hai" with 4 as "tư" ("tháng tư"; 1 is "một", not
 * "giêng").
 *
 * Returns: (transfer full) (nullable): the words (NFC), or %NULL when @d is
 * %NULL or not valid.
 */
char *motcua_text_date_in_words (const GDate *d);

G_END_DECLS
