/* Stand-in mscms.dll for the Wine TEST PREFIX ONLY (never shipped in an installer).
 *
 * Qt's Windows platform plugin imports WcsCreateIccProfile, which Wine 8's mscms.dll exports
 * only as an unimplemented stub (calling it aborts). This DLL replaces mscms in the test prefix
 * (WINEDLLOVERRIDES=mscms=n) with the four functions qwindows.dll imports, all reporting
 * "no colour profile": Qt then assumes sRGB.
 */
#include <windows.h>

__declspec(dllexport) HANDLE WINAPI OpenColorProfileW(void *profile, DWORD access, DWORD share, DWORD creation)
{ (void)profile; (void)access; (void)share; (void)creation; SetLastError(ERROR_NOT_SUPPORTED); return NULL; }
__declspec(dllexport) BOOL WINAPI CloseColorProfile(HANDLE profile) { (void)profile; return TRUE; }
__declspec(dllexport) BOOL WINAPI GetColorProfileFromHandle(HANDLE profile, BYTE *buf, DWORD *size)
{ (void)profile; (void)buf; if (size) *size = 0; SetLastError(ERROR_NOT_SUPPORTED); return FALSE; }
__declspec(dllexport) HANDLE WINAPI WcsCreateIccProfile(HANDLE profile, DWORD options)
{ (void)profile; (void)options; SetLastError(ERROR_NOT_SUPPORTED); return NULL; }
