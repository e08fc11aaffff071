/* Stand-in bcryptprimitives.dll for the Wine TEST PREFIX ONLY (never shipped in an installer).
 *
 * The Rust standard library in cryptography's _rust.pyd imports ProcessPrng (Windows 10+);
 * Wine 8 has no bcryptprimitives.dll. Real randomness from Wine's RtlGenRandom.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length); /* advapi32 RtlGenRandom */

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
