@echo off
rem goaldoc on a clerk's Windows machine, one command (issue 21 item 1): run it in the goaldoc
rem folder (double-click it, or type tools\setup-windows.cmd). It makes a Python environment
rem in %LOCALAPPDATA%\goaldoc, installs goaldoc into it, and adds its Scripts folder to the
rem user's PATH, so that a new command window knows `goaldoc`. Needs Python 3.10 or later
rem (python.org, "py" launcher); --pdf needs LibreOffice (libreoffice.org).
chcp 65001 >nul
setlocal
set "HERE=%~dp0.."
set "VENV=%LOCALAPPDATA%\goaldoc\venv"
py -3 -m venv "%VENV%" || goto :nopython
"%VENV%\Scripts\python.exe" -m pip install -q --upgrade pip
set PYTHONWARNINGS=ignore::UserWarning
"%VENV%\Scripts\python.exe" -m pip install -q "%HERE%" || goto :failed
powershell -NoProfile -Command "$d = '%VENV%\Scripts'; $p = [Environment]::GetEnvironmentVariable('Path', 'User'); if (-not $p) { $p = '' }; if (($p -split ';') -notcontains $d) { [Environment]::SetEnvironmentVariable('Path', ($p.TrimEnd(';') + ';' + $d).TrimStart(';'), 'User') }"
echo goaldoc 已装好：%VENV%\Scripts\goaldoc.exe
echo 请关掉这个窗口，新开一个“命令提示符”，输入 goaldoc --help
exit /b 0
:nopython
echo 没有找到 Python 3：请从 python.org 安装 Python 3.10 或更新的版本（勾选“Add python.exe to PATH”），再运行一次。
exit /b 1
:failed
echo goaldoc 没有装好：请把上面的信息发给维护 goaldoc 的同事。
exit /b 1
