#!/bin/sh
# goaldoc on the PATH after `make setup` (issue 21 item 1): a symbolic link to this checkout's
# .venv/bin/goaldoc — in /usr/local/bin when it is writable (root; on every user's PATH),
# else in ~/.local/bin (on the PATH of Debian / Ubuntu logins once the folder exists).
# Why a link and not pipx or an activate line: the venv's goaldoc runs from any folder (its
# first line names the venv's python), an edit of the checkout or its templates/ is live at
# once (editable install), nothing more to install, and the README's commands work as typed.
set -eu
target="$1"
if [ -w /usr/local/bin ]; then dir=/usr/local/bin; else dir="$HOME/.local/bin"; mkdir -p "$dir"; fi
link="$dir/goaldoc"
if [ -e "$link" ] && [ ! -L "$link" ]; then
  echo "goaldoc：$link 已有一个不是链接的 goaldoc，没有改动它；请用 $target，或删去它后再运行 make setup"
  exit 0
fi
before="$(readlink "$link" 2>/dev/null || true)"
ln -sfn "$target" "$link"
if [ -n "$before" ] && [ "$before" != "$target" ]; then
  echo "goaldoc：$link 原来指向 $before，现在指向 $target"
elif [ "$before" != "$target" ]; then
  echo "goaldoc：已放到 $link（指向 $target），在任何文件夹都可以直接输入 goaldoc"
fi
case ":$PATH:" in
  *":$dir:"*) ;;
  *) echo "goaldoc：$dir 不在 PATH 里：请在 ~/.bashrc 末尾加一行 export PATH=\"$dir:\$PATH\"，再开一个新终端" ;;
esac
