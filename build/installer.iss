; Một Cửa Xã — Inno Setup script (Inno Setup 6.5 or newer; this file is UTF-8 with BOM).
;
; Build the folder first (python build/build.py), then, from the repository root:
;   iscc /DAppVersion=0.1.0 build\installer.iss
; → dist\MotCuaXa-Setup-<version>.exe   (build/windows/build.sh does all of it under Wine on Linux)
;
; Per-user install without administrator rights: %LOCALAPPDATA%\Programs\MotCuaXa.
; The data folder (%LOCALAPPDATA%\motcua-xa, decided by core/paths.py) is never inside the
; program folder, so uninstalling or upgrading never touches the commune's data.
;
; The Vietnamese messages of Setup and Uninstall are the project's own translation,
; build/windows/Vietnamese.isl (see the licence note at its top); /DVietnameseIsl=<path> uses
; another file.
;
; The province's setup file: put provision.json beside the setup .exe (same folder or the same
; zip); the installer copies it beside MotCuaXa.exe, where the app reads it at first run.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef AppFolder
  #define AppFolder "..\dist\MotCuaXa"
#endif
#ifndef VietnameseIsl
  #define VietnameseIsl "windows\Vietnamese.isl"
#endif
#define AppName "Một Cửa Xã"
#define AppExe "MotCuaXa.exe"

[Setup]
AppId={{6F1B7C52-3E0A-4C7D-9A61-2D5B8E4F0C93}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Dự án Một Cửa Xã — tỉnh Quảng Ngãi
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
VersionInfoDescription=Cài đặt {#AppName}
DefaultDirName={code:DefaultInstallDir}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per user, no administrator: {autopf} becomes %LOCALAPPDATA%\Programs (DefaultInstallDir below).
PrivilegesRequired=lowest
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\dist
OutputBaseFilename=MotCuaXa-Setup-{#AppVersion}
SetupIconFile=..\resources\icons\app.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
WizardStyle=modern
Compression=lzma2/max
SolidCompression=yes
CloseApplications=yes
ShowLanguageDialog=no

[Languages]
Name: "vi"; MessagesFile: "{#VietnameseIsl}"

[CustomMessages]
vi.DesktopShortcut=Tạo biểu tượng trên màn hình
vi.ShortcutGroup=Biểu tượng:
vi.DemoShortcut={#AppName} (dữ liệu mẫu để tập huấn)
vi.LaunchNow=Mở {#AppName} ngay
vi.DataKept=Đã gỡ {#AppName}. Dữ liệu của đơn vị vẫn được giữ nguyên tại:%n%n%1%n%nKhi cài lại, phần mềm sẽ dùng tiếp dữ liệu này. Muốn xóa hẳn, hãy tự xóa thư mục trên (sau khi đã sao lưu).

[Tasks]
Name: "desktopicon"; Description: "{cm:DesktopShortcut}"; GroupDescription: "{cm:ShortcutGroup}"

[Files]
Source: "{#AppFolder}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
; The province's setup file, when it sits beside the setup program.
Source: "{src}\provision.json"; DestDir: "{app}"; Flags: external skipifsourcedoesntexist ignoreversion

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"
Name: "{autoprograms}\{cm:DemoShortcut}"; Filename: "{app}\{#AppExe}"; Parameters: "--demo"; WorkingDir: "{app}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchNow}"; Flags: nowait postinstall skipifsilent

; Nothing under [UninstallDelete]: the data folder is outside {app} and stays.

[Code]
// {autopf}\MotCuaXa: for a per-user install, %LOCALAPPDATA%\Programs\MotCuaXa. Wine has no
// FOLDERID_UserProgramFiles, so there {autopf} cannot be expanded and Setup would stop; the
// folder it names on Windows is then given directly, so the very setup program that is
// released is the one build/windows/install-test.sh installs under Wine.
function DefaultInstallDir(Param: String): String;
begin
  try
    Result := ExpandConstant('{autopf}\MotCuaXa');
  except
    Result := ExpandConstant('{localappdata}\Programs\MotCuaXa');
    Log('{autopf} cannot be expanded here (' + GetExceptionMessage + '); installing into ' + Result);
  end;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  DataDir: String;
begin
  if CurUninstallStep = usPostUninstall then
  begin
    DataDir := ExpandConstant('{localappdata}\motcua-xa');
    if DirExists(DataDir) and not UninstallSilent then
      MsgBox(FmtMessage(CustomMessage('DataKept'), [DataDir]), mbInformation, MB_OK);
  end;
end;
