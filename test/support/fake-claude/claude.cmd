@ECHO off
REM Stand-in for Claude Code on Windows; the program is main.mjs beside this file.
node "%~dp0\main.mjs" %*
