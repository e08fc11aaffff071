/* Stand-in icuuc.dll for the Wine TEST PREFIX ONLY (never shipped in an installer).
 *
 * Qt 6 Core on Windows imports ICU's converter API from the system icuuc.dll (Windows 10 1903+);
 * Wine 8 has no icuuc.dll, so Qt6Core.dll would not load. Every converter "fails to open":
 * Qt then keeps to its built-in UTF-8/UTF-16/Latin-1 codecs, which is all PropertyDesk uses.
 */
#include <stddef.h>
#include <stdint.h>

typedef int UErrorCode;
typedef uint16_t UChar;
#define U_FILE_ACCESS_ERROR 4
#define EXPORT __declspec(dllexport)

static int failed(UErrorCode *err) { if (err && *err <= 0) *err = U_FILE_ACCESS_ERROR; return 0; }

EXPORT void *ucnv_open(const char *name, UErrorCode *err) { (void)name; failed(err); return NULL; }
EXPORT void ucnv_close(void *cnv) { (void)cnv; }
EXPORT void ucnv_reset(void *cnv) { (void)cnv; }
EXPORT int8_t ucnv_getMaxCharSize(const void *cnv) { (void)cnv; return 4; }
EXPORT const char *ucnv_getName(const void *cnv, UErrorCode *err) { (void)cnv; failed(err); return ""; }
EXPORT void ucnv_getToUCallBack(const void *cnv, void **action, const void **context)
{ (void)cnv; if (action) *action = NULL; if (context) *context = NULL; }
EXPORT void ucnv_getFromUCallBack(const void *cnv, void **action, const void **context)
{ (void)cnv; if (action) *action = NULL; if (context) *context = NULL; }
EXPORT void ucnv_setToUCallBack(void *cnv, void *n, const void *c, void **oa, const void **oc, UErrorCode *err)
{ (void)cnv; (void)n; (void)c; if (oa) *oa = NULL; if (oc) *oc = NULL; failed(err); }
EXPORT void ucnv_setFromUCallBack(void *cnv, void *n, const void *c, void **oa, const void **oc, UErrorCode *err)
{ (void)cnv; (void)n; (void)c; if (oa) *oa = NULL; if (oc) *oc = NULL; failed(err); }
EXPORT void ucnv_cbToUWriteUChars(void *args, const UChar *s, int32_t n, int32_t off, UErrorCode *err)
{ (void)args; (void)s; (void)n; (void)off; failed(err); }
EXPORT void ucnv_cbFromUWriteUChars(void *args, const UChar **s, const UChar *lim, int32_t off, UErrorCode *err)
{ (void)args; (void)s; (void)lim; (void)off; failed(err); }
EXPORT void ucnv_toUnicode(void *cnv, UChar **t, const UChar *tl, const char **s, const char *sl,
                           int32_t *off, int8_t flush, UErrorCode *err)
{ (void)cnv; (void)t; (void)tl; (void)s; (void)sl; (void)off; (void)flush; failed(err); }
EXPORT void ucnv_fromUnicode(void *cnv, char **t, const char *tl, const UChar **s, const UChar *sl,
                             int32_t *off, int8_t flush, UErrorCode *err)
{ (void)cnv; (void)t; (void)tl; (void)s; (void)sl; (void)off; (void)flush; failed(err); }
EXPORT int32_t ucnv_toUCountPending(const void *cnv, UErrorCode *err) { (void)cnv; failed(err); return 0; }
EXPORT int32_t ucnv_fromUCountPending(const void *cnv, UErrorCode *err) { (void)cnv; failed(err); return 0; }
EXPORT const char *ucnv_getStandardName(const char *name, const char *std, UErrorCode *err)
{ (void)name; (void)std; failed(err); return NULL; }
EXPORT const char *ucnv_getAvailableName(int32_t n) { (void)n; return NULL; }
EXPORT int32_t ucnv_countAvailable(void) { return 0; }
EXPORT void UCNV_FROM_U_CALLBACK_SUBSTITUTE(const void *c, void *a, const UChar *u, int32_t l, int32_t cp,
                                            int reason, UErrorCode *err)
{ (void)c; (void)a; (void)u; (void)l; (void)cp; (void)reason; (void)err; }
EXPORT void UCNV_TO_U_CALLBACK_SUBSTITUTE(const void *c, void *a, const char *b, int32_t l, int reason,
                                          UErrorCode *err)
{ (void)c; (void)a; (void)b; (void)l; (void)reason; (void)err; }
