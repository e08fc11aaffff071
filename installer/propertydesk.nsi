; PropertyDesk 物业前台 — Windows installer for one site (built by installer/build.py).
;
; makensis -INPUTCHARSET UTF8 -DSITE_NSH=<build>/<site>/site.nsh installer/propertydesk.nsi
; site.nsh defines SITE, SITE_NAME, VERSION, VERSION4, STAGE, OUTFILE, DATA_DEFAULT, COMPRESSOR,
; INSTALLED_KB and the macro REMOVE_PROGRAM_FILES (exactly the entries the stage holds).
;
; Installer switches: /S (silent)  /D=<folder> (last, unquoted)  /MACHINEDATA or /USERDATA
;   /REPLACESITE  (silent only: replace another site's installation, or another site's data kept on
;                 this PC after its uninstall; the wizard asks instead). The replacing site gets a data
;                 folder of its own beside the old one (<old folder>-<site code>); the old site's data
;                 stays where it is, untouched, and install.log names both folders.
; Uninstaller switches: /S  /REMOVEDATA (also delete the office's data; kept by default)
;
; Program files go to Program Files; data never does: %LOCALAPPDATA%\PropertyDesk (the app's
; platformdirs folder, per Windows account) or %ProgramData%\PropertyDesk (shared by every
; account; the shortcuts then pass --data-dir). An upgrade replaces the program files only.
; Where the data lives (DataMode, DataDir) stays in the registry after an uninstall that kept the
; data, and an existing database in either place is found: a reinstall uses the office's data.
; Every install writes what it did to install.log in the install folder (kept across upgrades).

Unicode true
Target amd64-unicode
!include "${SITE_NSH}"
!ifdef SIGN_CMD   ; build.py --sign: the setup and the uninstaller are signed as they are written
  !finalize '"${SIGN_CMD}" "%1"'
  !uninstfinalize '"${SIGN_CMD}" "%1"'
!endif
SetCompressor ${COMPRESSOR}

!include "MUI2.nsh"
!include "nsDialogs.nsh"
!include "LogicLib.nsh"
!include "FileFunc.nsh"
!include "WinMessages.nsh"
!include "WinVer.nsh"
!include "StrFunc.nsh"
${StrStr}

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
Icon "${ICON}"
UninstallIcon "${ICON}"
!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"

Var DataMode        ; user | machine
Var DataDir         ; the folder the data lives in
Var DataArgs        ; extra arguments of the shortcuts
Var IsUpgrade
Var RemoveData
Var RadioUser
Var RadioMachine
Var CheckRemove
Var OldSite         ; the site installed before (registry), if any
Var OldSiteName
Var OldLnk
Var Found           ; how the data folder was chosen, for the log
Var Replacing       ; 1: this site replaces another site (its own data folder)
Var OldDataDir      ; the replaced site's data folder (left untouched)

!define MUI_ABORTWARNING
!define MUI_WELCOMEPAGE_TEXT "将在本机安装 物业前台 PropertyDesk ${VERSION}（站点：${SITE_NAME}）。$\r$\n$\r$\n程序安装到 Program Files；业务数据保存在本机的数据目录中，升级和卸载都不会删除数据（卸载时可选择删除）。$\r$\n$\r$\n升级前请先关闭正在运行的物业前台。"
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_LICENSE "${LICENSE_PAGE}"
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
  ${IfNot} ${AtLeastWin10}
    MessageBox MB_ICONSTOP "物业前台需要 Windows 10 或更高版本。本机的 Windows 版本过低，安装已取消。" /SD IDOK
    SetErrorLevel 3
    Abort
  ${EndIf}
  StrCpy $IsUpgrade "0"
  StrCpy $Found "默认位置"
  StrCpy $DataMode "${DATA_DEFAULT}"
  ${GetParameters} $R0
  ; another site's installation: the wizard names both sites and asks; silent needs /REPLACESITE
  ReadRegStr $OldSite HKLM "${REG_APP}" "Site"
  ReadRegStr $OldSiteName HKLM "${REG_APP}" "SiteName"
  ReadRegStr $OldLnk HKLM "${REG_APP}" "Shortcut"
  ReadRegStr $1 HKLM "${REG_APP}" "InstallDir"
  StrCpy $Replacing "0"
  ; installed ($1: its folder), or uninstalled with its data kept (Site, SiteName, DataDir stay)
  ${If} $OldSite != ""
  ${AndIf} $OldSite != "${SITE}"
    ${If} $OldSiteName == ""
      StrCpy $OldSiteName $OldSite
    ${EndIf}
    ${If} $1 != ""
      StrCpy $R8 "本机已安装站点“$OldSiteName”（$OldSite）的物业前台。"
    ${Else}
      StrCpy $R8 "本机保留着站点“$OldSiteName”（$OldSite）的物业前台数据（该站点的程序已卸载，数据未删除）。"
    ${EndIf}
    ClearErrors
    ${GetOptions} $R0 "/REPLACESITE" $R1
    ${If} ${Errors}
      ${If} ${Silent}
        StrCpy $R9 "静默安装未指定 /REPLACESITE"
        Call LogRefusal
        SetErrorLevel 4
        Abort
      ${EndIf}
      MessageBox MB_YESNO|MB_ICONEXCLAMATION|MB_DEFBUTTON2 "$R8$\r$\n这个安装程序属于另一个站点：“${SITE_NAME}”（${SITE}）。$\r$\n$\r$\n继续安装将用“${SITE_NAME}”替换“$OldSiteName”的程序和快捷方式。“${SITE_NAME}”使用自己的新数据目录；“$OldSiteName”的数据保留在原处，不会被打开或修改（位置记入 install.log）。$\r$\n确实要替换吗？" IDYES replace_ok
      StrCpy $R9 "安装时选择了不替换"
      Call LogRefusal
      SetErrorLevel 4
      Abort
      replace_ok:
    ${EndIf}
    StrCpy $Replacing "1"
  ${EndIf}
  ReadRegStr $0 HKLM "${REG_APP}" "DataMode"
  ${If} $0 != ""
    StrCpy $DataMode $0          ; an upgrade or a reinstall keeps where the data is
    StrCpy $IsUpgrade "1"
    StrCpy $Found "注册表记录的位置"
  ${Else}
    Call FindExistingData
  ${EndIf}
  ; /MACHINEDATA, /USERDATA choose the place of a new site's data; existing data always wins
  ${If} $IsUpgrade == "0"
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
  ${EndIf}
  Call SetDataDir
  ${If} $Replacing == "1"
    ReadRegStr $OldDataDir HKLM "${REG_APP}" "DataDir"
    ${If} $OldDataDir == ""
      StrCpy $OldDataDir $DataDir
    ${EndIf}
    Call OwnDataDir
  ${ElseIf} $IsUpgrade == "1"
    ReadRegStr $0 HKLM "${REG_APP}" "DataDir"   ; a site that has a folder of its own keeps it
    ${If} $0 != ""
    ${AndIf} $0 != $DataDir
      StrCpy $DataDir $0
      StrCpy $DataArgs '--data-dir "$DataDir"'
    ${EndIf}
  ${EndIf}
FunctionEnd

; A site that replaces another gets a data folder of its own: the place's folder when its site.json
; names this site (it was this site's before), else "<that folder>-<site code>" beside it. The program
; refuses a folder whose site.json names another site (app/system/sitemark.py).
Function OwnDataDir
  ClearErrors
  FileOpen $R1 "$DataDir\site.json" r
  ${IfNot} ${Errors}
    FileRead $R1 $R2
    FileClose $R1
    ${StrStr} $R3 $R2 '"site_code": "${SITE}"'
    ${If} $R3 != ""
      StrCpy $Found "本站点原有的数据目录"
      StrCpy $DataArgs '--data-dir "$DataDir"'
      Return
    ${EndIf}
  ${EndIf}
  StrCpy $DataDir "$DataDir-${SITE}"
  StrCpy $DataArgs '--data-dir "$DataDir"'
  StrCpy $Found "本站点自己的数据目录"
FunctionEnd

; A refused install (another site's installation, no /REPLACESITE or the wizard's 否) says why in the
; installed site's install.log ($1 = its InstallDir, $R9 = the reason): nothing else is changed.
Function LogRefusal
  ${If} $1 == ""
    Return       ; the other site's program is uninstalled: no install folder to log in (exit code 4 says it)
  ${EndIf}
  ${GetTime} "" "L" $R2 $R3 $R4 $R5 $R6 $R7 $R8
  ClearErrors
  FileOpen $R1 "$1\install.log" a
  ${IfNot} ${Errors}
    FileSeek $R1 0 END
    FileWriteUTF16LE $R1 "$R4-$R3-$R2 $R6:$R7:$R8 未安装 物业前台 ${VERSION}，站点 ${SITE_NAME}（${SITE}）：本机已安装站点 $OldSiteName（$OldSite），$R9（替换须加 /REPLACESITE 或在安装向导中确认）$\r$\n"
    FileClose $R1
  ${EndIf}
FunctionEnd

; No record in the registry (an older uninstaller removed it): an existing database in either place is
; used, never replaced by an empty one; with one in both, the wizard asks (silent: the per-user one).
Function FindExistingData
  SetShellVarContext current
  StrCpy $2 "$LOCALAPPDATA\PropertyDesk\PropertyDesk\propertydesk.db"
  SetShellVarContext all
  StrCpy $3 "$APPDATA\PropertyDesk\propertydesk.db"
  ${If} ${FileExists} $2
  ${AndIf} ${FileExists} $3
    MessageBox MB_YESNO|MB_ICONQUESTION "本机有两份物业前台数据：$\r$\n1. 仅当前用户：$2$\r$\n2. 所有用户共用：$3$\r$\n$\r$\n继续使用第 1 份（仅当前用户）吗？选“否”使用第 2 份。" /SD IDYES IDYES use_user
    StrCpy $DataMode "machine"
    Goto found
    use_user:
    StrCpy $DataMode "user"
    Goto found
  ${ElseIf} ${FileExists} $2
    StrCpy $DataMode "user"
    Goto found
  ${ElseIf} ${FileExists} $3
    StrCpy $DataMode "machine"
    Goto found
  ${EndIf}
  Return
  found:
    StrCpy $IsUpgrade "1"
    StrCpy $Found "找到已有数据库"
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
  ${If} $Replacing == "1"
    Call OwnDataDir
  ${EndIf}
FunctionEnd

Section "PropertyDesk" SecMain
  SectionIn RO
  SetShellVarContext all
  SetOutPath "$INSTDIR"
  ; the shortcuts of the site installed before (another site's name) go
  ${If} $OldLnk != ""
  ${AndIf} $OldLnk != "${LNK_NAME}"
    Delete "$SMPROGRAMS\${SM_FOLDER}\$OldLnk.lnk"
    Delete "$DESKTOP\$OldLnk.lnk"
    DetailPrint "已删除原站点的快捷方式：$OldLnk"
  ${EndIf}
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
      "$INSTDIR\resources\app.ico" 0 SW_SHOWNORMAL "" "物业前台 PropertyDesk（${SITE_NAME}）"
  CreateShortCut "$SMPROGRAMS\${SM_FOLDER}\卸载 物业前台.lnk" "$INSTDIR\uninstall.exe"
  CreateShortCut "$DESKTOP\${LNK_NAME}.lnk" "$INSTDIR\pythonw.exe" "-m propertydesk $DataArgs" \
      "$INSTDIR\resources\app.ico" 0 SW_SHOWNORMAL "" "物业前台 PropertyDesk（${SITE_NAME}）"

  WriteRegStr HKLM "${REG_APP}" "InstallDir" "$INSTDIR"
  WriteRegStr HKLM "${REG_APP}" "Version" "${VERSION}"
  WriteRegStr HKLM "${REG_APP}" "Site" "${SITE}"
  WriteRegStr HKLM "${REG_APP}" "SiteName" "${SITE_NAME}"
  WriteRegStr HKLM "${REG_APP}" "Shortcut" "${LNK_NAME}"
  WriteRegStr HKLM "${REG_APP}" "DataMode" "$DataMode"
  WriteRegStr HKLM "${REG_APP}" "DataDir" "$DataDir"
  WriteRegStr HKLM "${REG_UNINST}" "DisplayName" "物业前台 PropertyDesk（${SITE_NAME}）"
  WriteRegStr HKLM "${REG_UNINST}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${REG_UNINST}" "Publisher" "PropertyDesk"
  WriteRegStr HKLM "${REG_UNINST}" "DisplayIcon" "$INSTDIR\resources\app.ico"
  WriteRegStr HKLM "${REG_UNINST}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${REG_UNINST}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${REG_UNINST}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${REG_UNINST}" "NoModify" 1
  WriteRegDWORD HKLM "${REG_UNINST}" "NoRepair" 1
  WriteRegDWORD HKLM "${REG_UNINST}" "EstimatedSize" ${INSTALLED_KB}

  ; install.log: what this run did, kept in the install folder across upgrades
  ${GetTime} "" "L" $0 $1 $2 $3 $4 $5 $6
  FileOpen $9 "$INSTDIR\install.log" a
  FileSeek $9 0 END
  FileWriteUTF16LE $9 "$2-$1-$0 $4:$5:$6 安装 物业前台 ${VERSION}，站点 ${SITE_NAME}（${SITE}）$\r$\n"
  FileWriteUTF16LE $9 "  安装目录：$INSTDIR$\r$\n  数据目录：$DataDir（$DataMode，$Found）$\r$\n"
  ${If} $Replacing == "1"
    FileWriteUTF16LE $9 "  替换了原站点：$OldSiteName（$OldSite）$\r$\n  原站点的数据保留在原处（未打开、未修改）：$OldDataDir$\r$\n"
  ${ElseIf} $IsUpgrade == "1"
    FileWriteUTF16LE $9 "  升级或重新安装：保留原数据$\r$\n"
  ${EndIf}
  FileClose $9
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
  Delete "$INSTDIR\install.log"
  RMDir "$INSTDIR"

  ${If} $RemoveData == "1"
    ${If} $DataDir != ""
      RMDir /r "$DataDir"
    ${EndIf}
    ; the per-user folder also holds the site keys and, after a site was replaced, the replaced site's
    ; data folder (PropertyDesk\PropertyDesk beside PropertyDesk\PropertyDesk-<code>): it goes only
    ; when no other site's data folder (one with a site.json) is left in it
    SetShellVarContext current
    StrCpy $R3 "0"
    FindFirst $R1 $R2 "$LOCALAPPDATA\PropertyDesk\*"
    ${DoWhile} $R2 != ""
      ${If} ${FileExists} "$LOCALAPPDATA\PropertyDesk\$R2\site.json"
        StrCpy $R3 "1"
      ${EndIf}
      FindNext $R1 $R2
    ${Loop}
    FindClose $R1
    ${If} $R3 == "0"
      RMDir /r "$LOCALAPPDATA\PropertyDesk"
      DeleteRegKey HKCU "Software\PropertyDesk"
    ${Else}
      DetailPrint "另一站点的业务数据及站点密钥仍在 $LOCALAPPDATA\PropertyDesk，已保留"
    ${EndIf}
    SetShellVarContext all
    DetailPrint "已删除业务数据"
  ${Else}
    DetailPrint "业务数据已保留：$DataDir"
  ${EndIf}

  DeleteRegKey HKLM "${REG_UNINST}"
  ${If} $RemoveData == "1"
    DeleteRegKey HKLM "${REG_APP}"
  ${Else}
    ; the data stays: so does where it is (a reinstall uses it); the program's own values go
    DeleteRegValue HKLM "${REG_APP}" "InstallDir"
    DeleteRegValue HKLM "${REG_APP}" "Version"
    DeleteRegValue HKLM "${REG_APP}" "Shortcut"
  ${EndIf}
SectionEnd
