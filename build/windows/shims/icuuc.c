/* Stand-in for Windows 10's system icuuc.dll, for the Wine test prefix only (never shipped).
 *
 * PySide6's Qt6Core.dll imports 20 ucnv_* functions from the system ICU that Windows 10 and
 * later provide and Wine 8 does not, so without this Qt does not even load under Wine. Every
 * converter lookup here fails (U_FILE_ACCESS_ERROR), which QStringConverter treats as "no such
 * codec" and keeps to its built-in ones (UTF-8/16/32, Latin-1, the system code page): the app
 * only ever uses UTF-8. Built with mingw-w64 by build/windows/prefix.sh.
 */
#include <stddef.h>
#include <stdint.h>

typedef int32_t UErrorCode;
typedef struct UConverter UConverter;
typedef uint16_t UChar;
typedef int8_t UBool;

enum { U_FILE_ACCESS_ERROR = 4, U_UNSUPPORTED_ERROR = 16 };

static void refuse(UErrorCode *status, UErrorCode code)
{
    if (status != NULL && *status <= 0)
        *status = code;
}

static void clear(void **p, const void **q)
{
    if (p != NULL) *p = NULL;
    if (q != NULL) *q = NULL;
}

UConverter *ucnv_open(const char *name, UErrorCode *status) { (void)name; refuse(status, U_FILE_ACCESS_ERROR); return NULL; }
void ucnv_close(UConverter *cnv) { (void)cnv; }
void ucnv_reset(UConverter *cnv) { (void)cnv; }
int8_t ucnv_getMaxCharSize(const UConverter *cnv) { (void)cnv; return 1; }
const char *ucnv_getName(const UConverter *cnv, UErrorCode *status) { (void)cnv; refuse(status, U_UNSUPPORTED_ERROR); return ""; }
const char *ucnv_getStandardName(const char *name, const char *standard, UErrorCode *status) { (void)name; (void)standard; (void)status; return NULL; }
const char *ucnv_getAvailableName(int32_t n) { (void)n; return NULL; }
int32_t ucnv_countAvailable(void) { return 0; }
int32_t ucnv_toUCountPending(const UConverter *cnv, UErrorCode *status) { (void)cnv; refuse(status, U_UNSUPPORTED_ERROR); return 0; }
int32_t ucnv_fromUCountPending(const UConverter *cnv, UErrorCode *status) { (void)cnv; refuse(status, U_UNSUPPORTED_ERROR); return 0; }

void ucnv_getToUCallBack(const UConverter *cnv, void **action, const void **context) { (void)cnv; clear(action, context); }
void ucnv_getFromUCallBack(const UConverter *cnv, void **action, const void **context) { (void)cnv; clear(action, context); }
void ucnv_setToUCallBack(UConverter *cnv, void *action, const void *context, void **old_action, const void **old_context, UErrorCode *status)
{ (void)cnv; (void)action; (void)context; clear(old_action, old_context); refuse(status, U_UNSUPPORTED_ERROR); }
void ucnv_setFromUCallBack(UConverter *cnv, void *action, const void *context, void **old_action, const void **old_context, UErrorCode *status)
{ (void)cnv; (void)action; (void)context; clear(old_action, old_context); refuse(status, U_UNSUPPORTED_ERROR); }

void UCNV_FROM_U_CALLBACK_SUBSTITUTE(const void *context, void *args, const UChar *units, int32_t length, int32_t code_point, int reason, UErrorCode *status)
{ (void)context; (void)args; (void)units; (void)length; (void)code_point; (void)reason; refuse(status, U_UNSUPPORTED_ERROR); }
void UCNV_TO_U_CALLBACK_SUBSTITUTE(const void *context, void *args, const char *units, int32_t length, int reason, UErrorCode *status)
{ (void)context; (void)args; (void)units; (void)length; (void)reason; refuse(status, U_UNSUPPORTED_ERROR); }
void ucnv_cbToUWriteUChars(void *args, const UChar *source, int32_t length, int32_t offset, UErrorCode *status)
{ (void)args; (void)source; (void)length; (void)offset; refuse(status, U_UNSUPPORTED_ERROR); }
void ucnv_cbFromUWriteUChars(void *args, const UChar **source, const UChar *limit, int32_t offset, UErrorCode *status)
{ (void)args; (void)source; (void)limit; (void)offset; refuse(status, U_UNSUPPORTED_ERROR); }

void ucnv_toUnicode(UConverter *cnv, UChar **target, const UChar *target_limit, const char **source, const char *source_limit, int32_t *offsets, UBool flush, UErrorCode *status)
{ (void)cnv; (void)target; (void)target_limit; (void)source; (void)source_limit; (void)offsets; (void)flush; refuse(status, U_UNSUPPORTED_ERROR); }
void ucnv_fromUnicode(UConverter *cnv, char **target, const char *target_limit, const UChar **source, const UChar *source_limit, int32_t *offsets, UBool flush, UErrorCode *status)
{ (void)cnv; (void)target; (void)target_limit; (void)source; (void)source_limit; (void)offsets; (void)flush; refuse(status, U_UNSUPPORTED_ERROR); }
