; PropertyDesk 物业前台 — Windows installer for one site (built by installer/build.py).
;
; makensis -INPUTCHARSET UTF8 -DSITE_NSH=<build>/<site>/site.nsh installer/propertydesk.nsi
; site.nsh defines SITE, SITE_NAME, VERSION, VERSION4, STAGE, OUTFILE, DATA_DEFAULT, COMPRESSOR,
; INSTALLED_KB and the macro REMOVE_PROGRAM_FILES (exactly the entries the stage holds).
;
; Installer switches: /S (silent)  /D=<folder> (last, unquoted)  /MACHINEDATA or /USERDATA
; Uninstaller switches: /S  /REMOVEDATA (also delete the office's data; kept by default)
;
; Program files go to Program Files; data never does: %LOCALAPPDATA%\PropertyDesk (the app's
; platformdirs folder, per Windows account) or %ProgramData%\PropertyDesk (shared by every
; account; the shortcuts then pass --data-dir). An upgrade replaces the program files only.

Unicode true
Target amd64-unicode
!include "${SITE_NSH}"
SetCompressor ${COMPRESSOR}

!include "MUI2.nsh"
!include "nsDialogs.nsh"
!include "LogicLib.nsh"
!include "FileFunc.nsh"
!include "WinMessages.nsh"

!define PRODUCT "PropertyDesk"
!define PRODUCT_CN "物业前台"
!define REG_APP "Software\PropertyDesk"
!define REG_UNINST "Software\Microsoft\Windows\CurrentVersion\Uninstall\PropertyDesk"
!define SM_FOLDER "物业前台"
!define LNK_NAME "物业前台 ${SITE_NAME}"

Name "${PRODUCT_CN} ${SITE_NAME}"
Caption "${PRODUCT_CN} PropertyDesk ${VERSION}（${SITE_NAME}）安装"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\PropertyDesk"
InstallDirRegKey HKLM "${REG_APP}" "InstallDir"
RequestExecutionLevel admin
ManifestDPIAware true
ShowInstDetails show
ShowUninstDetails show
BrandingText "PropertyDesk ${VERSION}"

Var DataMode        ; user | machine
Var DataDir         ; the folder the data lives in
Var DataArgs        ; extra arguments of the shortcuts
Var IsUpgrade
Var RemoveData
Var RadioUser
Var RadioMachine
Var CheckRemove

!define MUI_ABORTWARNING
!define MUI_WELCOMEPAGE_TEXT "将在本机安装 物业前台 PropertyDesk ${VERSION}（站点：${SITE_NAME}）。$\r$\n$\r$\n程序安装到 Program Files；业务数据保存在本机的数据目录中，升级和卸载都不会删除数据（卸载时可选择删除）。$\r$\n$\r$\n升级前请先关闭正在运行的物业前台。"
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
Page custom DataPageCreate DataPageLeave
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
UninstPage custom un.DataPageCreate un.DataPageLeave
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "SimpChinese"

VIProductVersion "${VERSION4}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "ProductName" "物业前台 PropertyDesk（${SITE_NAME}）"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "FileDescription" "物业前台 PropertyDesk 安装程序"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "CompanyName" "PropertyDesk"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "LegalCopyright" "PropertyDesk"

; ------------------------------------------------------------------------------------------
Function SetDataDir
  ${If} $DataMode == "machine"
    SetShellVarContext all
    StrCpy $DataDir "$APPDATA\PropertyDesk"
    StrCpy $DataArgs '--data-dir "$DataDir"'
  ${Else}
    SetShellVarContext current
    StrCpy $DataDir "$LOCALAPPDATA\PropertyDesk\PropertyDesk"
    StrCpy $DataArgs ""
  ${EndIf}
  SetShellVarContext all
FunctionEnd

Function .onInit
  SetRegView 64
  StrCpy $IsUpgrade "0"
  StrCpy $DataMode "${DATA_DEFAULT}"
  ReadRegStr $0 HKLM "${REG_APP}" "DataMode"
  ${If} $0 != ""
    StrCpy $DataMode $0          ; an upgrade keeps where the data is
    StrCpy $IsUpgrade "1"
  ${EndIf}
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/MACHINEDATA" $R1
  ${IfNot} ${Errors}
    StrCpy $DataMode "machine"
  ${EndIf}
  ClearErrors
  ${GetOptions} $R0 "/USERDATA" $R1
  ${IfNot} ${Errors}
    StrCpy $DataMode "user"
  ${EndIf}
  Call SetDataDir
FunctionEnd

Function DataPageCreate
  ${If} $IsUpgrade == "1"
    Abort                         ; upgrade: the data stays where it is
  ${EndIf}
  !insertmacro MUI_HEADER_TEXT "数据保存位置" "业务数据（数据库、设置、备份）不会保存在 Program Files 中。"
  nsDialogs::Create 1018
  Pop $0
  ${NSD_CreateLabel} 0 0 100% 24u "请选择本机上业务数据的保存位置："
  Pop $0
  ${NSD_CreateRadioButton} 10u 30u 100% 14u "仅当前Windows用户（%LOCALAPPDATA%\PropertyDesk）"
  Pop $RadioUser
  ${NSD_CreateRadioButton} 10u 50u 100% 14u "本机所有Windows用户共用（%ProgramData%\PropertyDesk）"
  Pop $RadioMachine
  ${If} $DataMode == "machine"
    ${NSD_Check} $RadioMachine
  ${Else}
    ${NSD_Check} $RadioUser
  ${EndIf}
  nsDialogs::Show
FunctionEnd

Function DataPageLeave
  ${NSD_GetState} $RadioMachine $0
  ${If} $0 == ${BST_CHECKED}
    StrCpy $DataMode "machine"
  ${Else}
    StrCpy $DataMode "user"
  ${EndIf}
  Call SetDataDir
FunctionEnd

Section "PropertyDesk" SecMain
  SectionIn RO
  SetShellVarContext all
  SetOutPath "$INSTDIR"
  ; upgrade: remove the previous program files first (the data folder is elsewhere)
  !insertmacro REMOVE_PROGRAM_FILES
  Delete "$INSTDIR\uninstall.exe"
  SetOutPath "$INSTDIR"
  File /r "${STAGE}\*.*"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateDirectory "$DataDir"
  ${If} $DataMode == "machine"
    ; every account of the PC may write the shared data folder (BUILTIN\Users: modify)
    nsExec::Exec 'icacls "$DataDir" /grant *S-1-5-32-545:(OI)(CI)M /T /Q'
    Pop $0
  ${EndIf}

  ; shortcuts: pythonw.exe -m propertydesk, started in the install folder
  SetOutPath "$INSTDIR"
  CreateDirectory "$SMPROGRAMS\${SM_FOLDER}"
  CreateShortCut "$SMPROGRAMS\${SM_FOLDER}\${LNK_NAME}.lnk" "$INSTDIR\pythonw.exe" "-m propertydesk $DataArgs" \
      "$INSTDIR\pythonw.exe" 0 SW_SHOWNORMAL "" "物业前台 PropertyDesk（${SITE_NAME}）"
  CreateShortCut "$SMPROGRAMS\${SM_FOLDER}\卸载 物业前台.lnk" "$INSTDIR\uninstall.exe"
  CreateShortCut "$DESKTOP\${LNK_NAME}.lnk" "$INSTDIR\pythonw.exe" "-m propertydesk $DataArgs" \
      "$INSTDIR\pythonw.exe" 0 SW_SHOWNORMAL "" "物业前台 PropertyDesk（${SITE_NAME}）"

  WriteRegStr HKLM "${REG_APP}" "InstallDir" "$INSTDIR"
  WriteRegStr HKLM "${REG_APP}" "Version" "${VERSION}"
  WriteRegStr HKLM "${REG_APP}" "Site" "${SITE}"
  WriteRegStr HKLM "${REG_APP}" "DataMode" "$DataMode"
  WriteRegStr HKLM "${REG_APP}" "DataDir" "$DataDir"
  WriteRegStr HKLM "${REG_UNINST}" "DisplayName" "物业前台 PropertyDesk（${SITE_NAME}）"
  WriteRegStr HKLM "${REG_UNINST}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${REG_UNINST}" "Publisher" "PropertyDesk"
  WriteRegStr HKLM "${REG_UNINST}" "DisplayIcon" "$INSTDIR\pythonw.exe"
  WriteRegStr HKLM "${REG_UNINST}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${REG_UNINST}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${REG_UNINST}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${REG_UNINST}" "NoModify" 1
  WriteRegDWORD HKLM "${REG_UNINST}" "NoRepair" 1
  WriteRegDWORD HKLM "${REG_UNINST}" "EstimatedSize" ${INSTALLED_KB}
SectionEnd

; ------------------------------------------------------------------------------------------
Function un.onInit
  SetRegView 64
  StrCpy $RemoveData "0"
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/REMOVEDATA" $R1
  ${IfNot} ${Errors}
    StrCpy $RemoveData "1"
  ${EndIf}
  ReadRegStr $DataMode HKLM "${REG_APP}" "DataMode"
  ReadRegStr $DataDir HKLM "${REG_APP}" "DataDir"
FunctionEnd

Function un.DataPageCreate
  !insertmacro MUI_HEADER_TEXT "业务数据" "默认保留本机的业务数据，重新安装后可继续使用。"
  nsDialogs::Create 1018
  Pop $0
  ${NSD_CreateLabel} 0 0 100% 36u "数据目录：$DataDir$\r$\n卸载只删除程序文件。如确实不再使用，可同时删除数据（请先备份）。"
  Pop $0
  ${NSD_CreateCheckbox} 10u 44u 100% 14u "同时删除本机的业务数据（数据库、设置、备份），不可恢复"
  Pop $CheckRemove
  nsDialogs::Show
FunctionEnd

Function un.DataPageLeave
  ${NSD_GetState} $CheckRemove $0
  ${If} $0 == ${BST_CHECKED}
    StrCpy $RemoveData "1"
  ${EndIf}
FunctionEnd

Section "Uninstall"
  SetShellVarContext all
  Delete "$SMPROGRAMS\${SM_FOLDER}\${LNK_NAME}.lnk"
  Delete "$SMPROGRAMS\${SM_FOLDER}\卸载 物业前台.lnk"
  RMDir "$SMPROGRAMS\${SM_FOLDER}"
  Delete "$DESKTOP\${LNK_NAME}.lnk"

  !insertmacro REMOVE_PROGRAM_FILES
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"

  ${If} $RemoveData == "1"
    ${If} $DataDir != ""
      RMDir /r "$DataDir"
    ${EndIf}
    SetShellVarContext current
    RMDir /r "$LOCALAPPDATA\PropertyDesk"
    DeleteRegKey HKCU "Software\PropertyDesk"
    SetShellVarContext all
    DetailPrint "已删除业务数据"
  ${Else}
    DetailPrint "业务数据已保留：$DataDir"
  ${EndIf}

  DeleteRegKey HKLM "${REG_UNINST}"
  DeleteRegKey HKLM "${REG_APP}"
SectionEnd
