/* Stand-in for bcryptprimitives.dll's ProcessPrng, for the Wine test prefix only (never shipped).
 *
 * Binaries built with Rust >= 1.78 or Go >= 1.23 (cryptography's _rust.pyd, pydantic-core)
 * import ProcessPrng, which Windows 10 has and Wine 8 lacks. This one draws from the system
 * RNG through BCryptGenRandom. Built with mingw-w64 by build/windows/prefix.sh.
 */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
