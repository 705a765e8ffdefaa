#!/usr/bin/env bash
# Creates the project's virtual environment with Python 3.10 (if missing) and installs the pinned
# requirements.
# Usage: make_venv.sh VENV_DIR REQUIREMENTS_FILE...
#   (requirements.txt for make setup, requirements-test.txt for make test; both, in one run, where make needs both)
set -euo pipefail
venv_dir=$1
requirements=$2
# PYTHONINSPECT set: each of the set-up's Pythons went on to read commands after its own, from a terminal a hang with no
# prompt shown, and from a pipe "s1 holds Python 3.10, not the Python 3.10 NNabla 1.39 needs". The set-up asks nothing.
# PYTHONPATH naming another environment's packages (a user's site-packages, another venv's): pip took the requirements
# found there as installed and put none into the venv, exit code 0 and the stamp; naming a folder with a `pip` in it,
# it hid the venv's pip. The set-up installs into the venv what the venv alone holds.
unset PYTHONINSPECT PYTHONPATH
# Its stdin a folder (`make setup </`, a slip for `>`): Python does not start with one ("<stdin> is a directory"), so
# that a good venv was said to hold "no working Python (its Python was removed or moved)", and Python 3.10 "not found"
# for a new one. The set-up reads nothing from it: its Pythons and pips are given /dev/null.
# (stdin_folder: a file named by /dev/stdin, a constraint file or PIP_CONFIG_FILE, is refused, below)
[ ! -d /dev/stdin ] || { stdin_folder=1; exec </dev/null; }

# pyenv's Pythons where PYENV_ROOT puts them (/opt/pyenv): only ~/.pyenv was looked in, and with another pyenv
# version chosen (its python3.10 shim refuses) a 3.10 installed there was "not found; install it, e.g. pyenv install"
# HOME unset (a service's or `env -u HOME` environment): set -u's "HOME: unbound variable" and "Python 3.10 not found"
# with python3.10 on PATH. ~ is then the user's home folder from the password database. HOME empty (`HOME= make setup`)
# was the same refusal (bash's ~ is then empty, and ~/.pyenv /.pyenv): it is read as unset.
if [ -n "${HOME:-}" ]; then home=$HOME; else home=$(unset HOME; echo ~); fi
# A log file pip cannot write (PIP_LOG, or its other names PIP_LOG_FILE and PIP_LOCAL_LOG, naming a folder or a place
# not the user's to write): pip's "--- Logging error ---" and a traceback for each line it logs, hundreds of lines, on a
# set-up that succeeded. Said in one line, before anything is made. (pip reads a ~ beginning it as the home folder, and
# makes the file's folder where it is missing: one it cannot make, under a file or in /proc, was the same hundreds of
# lines.)
# HOME set but empty: Python's expanduser takes it as it is (`~/pip.log` is /pip.log), not as unset, as $home above
# does: an empty file was left in the user's home from the password database, for a log pip wrote at /.
# A value or pip's reason shown on one line, as make shows CHROMIUM and VENV: a newline as \n, and a carriage return,
# vertical tab or form feed (`PIP_LOG=$'/root/pip.log\r'`, from a file of Windows' line ends; pip's crash of a message
# ending in one) as \r, \v and \f, which were printed raw, the line overwritten from there on a terminal.
# The other control characters but a tab (an escape sequence's ESC, a backspace, DEL) were printed raw too, the line
# redrawn or the terminal changed from there: shown by their codes (\x1b), as the product's Python lines show them.
# (Each of the locale's control characters replaced where the text holds it, as bash's own replacements are fast:
# looked at a character at a time, by pieces of 256 characters, bash found each piece from the text's start, so that
# a refused constraint line of 1 MB holding an escape took over a minute to show. A C1 control (U+009B, a CSI) in a
# piece holding a byte not UTF-8 was printed raw, as bash's [[:cntrl:]] then looks at bytes.)
control_characters=() control_codes=()
for code in {1..8} {14..31} {127..159}; do
  printf -v hex %02x "$code"
  printf -v character "\\u00$hex"
  case $character in [[:cntrl:]]) control_characters+=("$character") control_codes+=("\\x$hex") ;; esac
done
one_line() {
  local text=${1//$'\n'/\\n} index
  text=${text//$'\r'/\\r} text=${text//$'\v'/\\v} text=${text//$'\f'/\\f}
  for index in "${!control_characters[@]}"; do
    case $text in *"${control_characters[$index]}"*)
      text=${text//"${control_characters[$index]}"/"${control_codes[$index]}"} ;; esac
  done
  printf '%s' "$text"
}
# VENV as the lines show it: make refuses only the names that break its commands, so that one holding an escape
# sequence was made as named, and the lines naming it ("creating ...", its errors) printed it raw. Three lines still
# did: a Python variable's refusal naming the venv's Python, the wait for another set-up naming the folder above, and
# a link to nothing above a new venv.
venv_shown=$(one_line "$venv_dir")
# A log FIFO's reader, looked for before each pip (which opens the log, and waits for one): one that stopped after a pip
# (a collector that read one line) left the next waiting forever. (An argument: say nothing, return 1 where none reads.)
# (Each FIFO with what sets it, as the line says it, its value as given and what to do instead of starting its reader.)
fifo_settings=() fifo_values=() fifo_undo=() fifo_paths=()
fifo_read_or_refused() {
  local index
  for index in "${!fifo_paths[@]}"; do
    dd if=/dev/null of="${fifo_paths[$index]}" oflag=nonblock conv=notrunc status=none 2>/dev/null && continue
    [ "$#" = 0 ] || return 1
    echo "error: ${fifo_settings[$index]} ($(one_line "${fifo_values[$index]}")), a FIFO no one reads" \
      "(what read it is not started, or stopped), which pip would wait for forever; start what reads it, or" \
      "${fifo_undo[$index]}, then run make again" >&2
    exit 2
  done
}
# A FIFO a log collector reads (`mkfifo p; tee pip.log <p &`): the check's open and close ended the collector's
# input, and pip then waited forever to open it with no one reading: the set-up hung, nothing logged. It is held open
# until the set-up ends, so the reader's input ends after pip's last line.
# A FIFO no one reads (its collector not started, or stopped): pip waited forever to open it, as pip alone does; held
# open read and write, the set-up was its reader, so that a small install's log was lost with exit code 0 and a large
# one hung once the pipe was full. Now a write end alone is held (opened while a read and write one is, which does not
# wait), and a reader is looked for by an open for writing that does not wait (dd's oflag=nonblock: "No such device
# or address" where none reads), whose close no longer ends a collector's input: the set-up's end is still held.
# (A collector started beside make is given half a second to open it.)
# One of the set-up's own files (`PIP_LOG=requirements.txt`, a slip for `-r`): pip appended its log to it, the
# repository's requirements changed, and the next set-up was pip's "Invalid requirement" on the log's first line.
own_file_refused() {  # own_file_refused WHAT_SETS_IT VALUE PATH
  local own
  for own in "$(dirname -- "$requirements")"/requirements*.txt "$(dirname -- "$requirements")/Makefile" "$0"; do
    if [ "$3" -ef "$own" ]; then
      echo "error: $1 ($(one_line "$2")), which is ${own#./}, a file the set-up reads; pip would append its log to" \
        "it: name another file, then run make again" >&2
      exit 2
    fi
  done
}
fifo_held() {  # fifo_held WHAT_SETS_IT VALUE UNDO PATH: return 1 where PATH is no FIFO (or one that cannot be opened)
  local held try
  [ -p "$4" ] && { exec {held}<>"$4"; } 2>/dev/null || return 1
  exec {log_writer}>"$4" {held}<&-
  fifo_settings+=("$1") fifo_values+=("$2") fifo_undo+=("$3") fifo_paths+=("$4")
  for try in 1 2 3 4 5 6; do
    fifo_read_or_refused "" && return 0
    [ "$try" = 6 ] || sleep 0.1
  done
  fifo_read_or_refused
}
tilde_home=${HOME-$home}
while [ "${tilde_home%/}" != "$tilde_home" ]; do tilde_home=${tilde_home%/}; done
# The file pip opens for a log setting's value (in log_file): `~` alone and `~name/` (a user's home from the password
# database, as Python's expanduser reads them): a folder `~` or `~name` was made here, and a file `~` left in the
# repository, for a log pip then wrote elsewhere. (eval only of a name that is a user's: bash reads ~N and ~-
# otherwise.) A configuration file's `log = ~name/pip.fifo` was read as written, a FIFO no one reads not looked at.
log_path() {
  local user user_home
  log_file=$1
  case $log_file in
    "~" | "~/"*) log_file=$tilde_home${log_file#"~"}; log_file=${log_file:-/} ;;
    "~"[A-Za-z_]*) user=${log_file%%/*} user=${user#"~"}
      case $user in *[!A-Za-z0-9._-]*) ;; *) eval "user_home=~$user"; log_file=$user_home${log_file#"~$user"} ;; esac ;;
  esac
}
# The set-up's own stream (0, 1 or 2) a file name pip opens names, in named_stream (empty where none).
# Spelt otherwise (`/dev//stderr`, `/dev/./stdout`, `/dev/fd/../fd/2`, `/proc/thread-self/fd/2`) it was pip's own
# stream again, the log lost: the name is read with its `.`, `..` and `//` resolved.
# Through a link (`ln -s /dev/stderr ci.log`, `PIP_LOG=ci.log`; a link to /dev/fd or /proc/self) it was pip's own
# stream too: the name is the opener's own stream where it is a new one's, here that stream opened on a here-string.
stream_named() {
  case $(realpath -ms -- "$1") in
    /dev/stdin | /dev/fd/0 | /proc/self/fd/0 | /proc/thread-self/fd/0) named_stream=0 ;;
    /dev/stdout | /dev/fd/1 | /proc/self/fd/1 | /proc/thread-self/fd/1) named_stream=1 ;;
    /dev/stderr | /dev/fd/2 | /proc/self/fd/2 | /proc/thread-self/fd/2) named_stream=2 ;;
    *) named_stream=
      if { [ "$1" -ef /proc/self/fd/0 ]; } 0<<< ''; then named_stream=0
      elif { [ "$1" -ef /proc/self/fd/1 ]; } 1<<< ''; then named_stream=1
      elif { [ "$1" -ef /proc/self/fd/2 ]; } 2<<< ''; then named_stream=2
      fi ;;
  esac
}
# The variables' values pip_env hands pip in their stead (NAME=VALUE: the set-up's own streams for the log variables,
# below; the copies of the constraint files' pipes, pip_config_read_once).
log_overrides=()
# A log setting naming the set-up's own output (log_stream_copied WHAT_SETS_IT VALUE UNDO VARIABLE, the file in
# log_file; return 1 where it is none of them): VARIABLE, given to pip as a copy of that stream.
# `PIP_LOG=/dev/stderr`, a CI job's log (before the FIFO's check, which a pipe passes): pip's /dev/stderr is the
# set-up's reading of it, so that the log of a failed install was lost (one line said) and a good one's sent to the
# set-up's stderr, however `/dev/stdout` was. pip is given a copy of the set-up's stream as /dev/fd/N, as pip alone
# writes to its own. A configuration file's `log = /dev/stderr` was pip's own stream still, the failed install's log
# lost: it is given as PIP_LOG, which pip reads over its files.
log_stream_copied() {
  local log_stream stream_name stream_flags stream
  stream_named "$log_file"
  [ "$named_stream" != 0 ] || named_stream=
  log_stream=$named_stream
  if [ -n "$log_stream" ]; then
    # That stream closed (`>&-`): bash's "cannot duplicate fd" and "1: Bad file descriptor", exit code 1.
    stream_name=output; [ "$log_stream" = 1 ] || stream_name=error
    # Its stderr closed (`make setup 2>&-`), bash leaves the script it runs open there, for reading: pip's log and the
    # set-up's error line were appended to utils/make_venv.sh itself. A stream not open for writing is one closed.
    stream_flags=$(sed -n 's/^flags:[[:space:]]*//p' "/proc/$$/fdinfo/$log_stream" 2>/dev/null) || stream_flags=
    if [ ! -e "/proc/$$/fd/$log_stream" ] || { [ -n "$stream_flags" ] && (( (8#$stream_flags & 3) == 0 )); }; then
      echo "error: $1 ($(one_line "$2")), the set-up's standard $stream_name, which is closed; $3 or name a file," \
        "then run make again" >&2 || true  # (stderr closed: exit code 2 all the same)
      exit 2
    fi
    # That stream a socket (a systemd service's stderr, journald's): pip's open of it by name failed ("No such device or
    # address: '/dev/fd/10'", pip's crash said after the check, naming no setting), as pip alone fails. Said before.
    if [ -S "/proc/$$/fd/$log_stream" ]; then
      echo "error: $1 ($(one_line "$2")), a log file pip cannot write (the set-up's standard $stream_name is a" \
        "socket, which cannot be opened by name); $3 or name a file pip can write, then run make again" >&2
      exit 2
    fi
    exec {log_copy}>&"$log_stream"
    # A file opened without append (`2>make.log`): pip appends its log at the file's end and the set-up wrote its own
    # lines at its own offset, over the log (a failed install's log lost under its error line). The set-up's streams
    # that are that file are opened again to append, as pip's is.
    if [ -f "/proc/$$/fd/$log_copy" ]; then
      for stream in 1 2; do
        if [ "$(stat -L -c %d:%i "/proc/$$/fd/$stream" 2>/dev/null)" = "$(stat -L -c %d:%i "/proc/$$/fd/$log_copy")" ]
        then
          eval "exec $stream>>/proc/$$/fd/$stream"
        fi
      done
    fi
    log_overrides+=("$4=/dev/fd/$log_copy")
    return 0
  fi
  return 1
}
# pip reads a PIP_ variable whatever the case of its name after PIP_ (pip_env below): a `PIP_Log` or `PIP_log_file`
# was not looked at, so that a FIFO no one reads so named left pip waiting forever, a folder its hundreds of lines.
# A name that is no shell variable's (`PIP_--LOG`, `PIP_LOG-FILE`, as env or a service's environment file sets it),
# which pip reads as well, was left to pip: it appended its log to the requirements, or waited for a FIFO forever.
# Each is read from env's listing (-0: a value may hold a newline), its value in log_values.
# (Read by bash and env alone: the set-up runs before anything else is known to be there; its "Python 3.10 not found"
# line came as "sort: command not found", exit code 127.)
report_refused() {  # report_refused WHAT VALUE UNDO: a report setting's line (VALUE `-`: pip's output)
  if [ "$2" = - ]; then
    echo "error: $1, pip's report on its output, a JSON document each of the set-up's pips would print among its" \
      "lines; $3, then run make again" >&2
  else
    echo "error: $1, a report each of the set-up's pips would write over (the last one's alone kept, or over a file" \
      "it names); $3, then run make again" >&2
  fi
  exit 2
}
log_settings=() constraint_settings=() config_only_settings=()
# (pip_variables: the variable pip reads as each option, the last of its spellings set, as pip takes it)
declare -A log_values=() constraint_values=() pip_variables=()
while IFS= read -r -d '' line; do
  name=${line%%=*}
  case $name in PIP_*) ;; *) continue ;; esac
  option=${name:4} option=${option,,} option=${option//_/-} option=${option#--}
  pip_variables[$option]=$name
  case $option in
    log | log-file | local-log) log_settings+=("$name") log_values[$name]=${line#*=} ;;
    constraint | requirement) constraint_settings+=("$name") constraint_values[$name]=${line#*=} ;;
    # `PIP_GLOBAL=1` or `PIP_SITE=yes` (pip config's own options, which pip install does not read): `pip config list`
    # listed that file alone, and a value not a boolean (`PIP_GLOBAL=abc`) failed it, so that a target or report in
    # the user's pip.conf, or a FIFO there, was not looked at: the install elsewhere, exit code 0. pip config list
    # runs without them (pip_config_list).
    global | site | editor) config_only_settings+=(-u "$name") ;;
    # `PIP_REPORT=requirements.txt` (a slip for -r): each of the set-up's pips wrote its report over the repository's
    # requirements (the next set-up pip's "Invalid requirement"), and `PIP_REPORT=report.json` was left holding the last
    # pip's report alone (requirements-nodeps.txt's), exit code 0. Refused, before anything is made.
    # `PIP_REPORT=-` (pip's report on its output) was refused with a file's words: said as what it is.
    report) [ -z "${line#*=}" ] || report_refused "$name is set ($(one_line "${line#*=}"))" "${line#*=}" "unset it" ;;
  esac
done < <(env -0)
for log_setting in ${log_settings[@]+"${log_settings[@]}"}; do
  log_path "${log_values[$log_setting]}"
  # The check leaves nothing: the log's folders and an empty file it made stayed where the set-up was then refused for
  # another reason, and a log in the new venv's folder (`PIP_LOG=.venv/pip.log`) made that folder one "of other files".
  # A folder is made and removed again in the first folder above the log that is there, where pip will make its own.
  # A folder above it that is a link to nothing was "Not a directory" (pip's own error "File exists"): said as VENV's.
  [ -n "$log_file" ] || continue
  # The set-up's own output: a copy of it.
  ! log_stream_copied "$log_setting is set" "${log_values[$log_setting]}" "unset it" "$log_setting" || continue
  # A FIFO (fifo_held above): held, its reader looked for.
  ! fifo_held "$log_setting is set" "${log_values[$log_setting]}" "unset it" "$log_file" || continue
  own_file_refused "$log_setting is set" "${log_values[$log_setting]}" "$log_file"
  log_there=$log_file
  while [ ! -e "$log_there" ] && [ ! -L "$log_there" ]; do log_there=$(dirname -- "$log_there"); done
  # A name ending in / (`PIP_LOG=logs/`, meant as a folder), /. or /.. that is not there passed: pip made a folder of
  # that name and crashed on opening it, said after the venv was made as "(IsADirectoryError: ...)", naming no setting.
  if ! unwritable=$( { case $log_file in */ | */. | */..) echo ": its name ends in /${log_file##*/}, a folder's"; exit 1
      ;; esac
      if [ "$log_there" = "$log_file" ]; then : >> "$log_file"
      elif [ -L "$log_there" ] && [ ! -e "$log_there" ]; then
        echo ": $log_there is a link to $(readlink -- "$log_there"), which leads to no folder"; false
      elif [ ! -d "$log_there" ]; then echo ": Not a directory"; false
      else check=$(mktemp -d -- "$log_there/.pip-log-check.XXXXXX") && rmdir -- "$check"; fi; } 2>&1); then
    # (a value holding a newline on one line, as \n)
    echo "error: $log_setting is set ($(one_line "${log_values[$log_setting]}")), a log file pip cannot write" \
      "(${unwritable##*: }); unset it or name a file pip can write, then run make again" >&2
    exit 2
  fi
done
# Debian's and Ubuntu's python3.10 (Ubuntu 22.04's own Python) keep ensurepip in python3.10-venv: venv made the folder
# and failed on ensurepip, said to be "is its disk full, or its path too long?". A 3.10 with ensurepip is looked for;
# failing one, the first without it is printed and the status is 3.
# The version is checked by exit status, not assert: with PYTHONOPTIMIZE set Python drops asserts, and a venv of Python
# 3.12 was taken for one of 3.10 (pip put into it, then pip's failure on NNabla).
# The python3.10 of a virtual environment (another project's, activated, first on PATH) made a venv whose Python was
# that one's: removing that venv later left this one "no working Python". The Python it was made from is taken.
# What the set-up reads from a Python (its folders, its version, venv's and ensurepip's errors) is read in UTF-8: with
# PYTHONIOENCODING=utf-16 bash's "ignored null byte" warning came first, with cp500 (EBCDIC) that venv's Python was
# taken (its folder unreadable), and a venv of Python 3.12 was said to hold "\xef\xbb\xbfPython 3.12" with utf-8-sig.
in_utf8() { PYTHONIOENCODING=utf-8:surrogateescape "$@"; }
find_python310() {
  local without_ensurepip= base
  for candidate in python3.10 "${PYENV_ROOT:-$home/.pyenv}"/versions/3.10.*/bin/python3.10 \
      "$home"/.pyenv/versions/3.10.*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do
    if command -v "$candidate" >/dev/null 2>&1 \
        && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; then
      base=$(in_utf8 "$candidate" -c \
        'import sys; sys.prefix != sys.base_prefix and print(sys.base_exec_prefix)' \
        2>/dev/null) || base=
      [ -z "$base" ] || [ ! -x "$base/bin/python3.10" ] || candidate=$base/bin/python3.10
      if "$candidate" -c 'import ensurepip' >/dev/null 2>&1; then
        command -v "$candidate"
        return 0
      fi
      [ -n "$without_ensurepip" ] || without_ensurepip=$(command -v "$candidate")
    fi
  done
  [ -z "$without_ensurepip" ] || { printf '%s\n' "$without_ensurepip"; return 3; }
  return 1
}

no_ensurepip() {  # the line for a Python 3.10 without ensurepip ($1), which venv needs to put pip in
  echo "error: $1 has no ensurepip, which puts pip into a virtual environment (Debian and Ubuntu keep it in" \
    "python3.10-venv); install it, e.g. 'apt-get install python3.10-venv', then run make again" >&2
  exit 2
}

# PYTHONHOME set (to another Python's folder, or one since removed) makes every Python look for its standard library
# there, a venv's too: a Python 3.10 that then did not start was "Python 3.10 not found; install it", and a good venv
# "no working Python (its Python was removed or moved); remove it". PYTHONPLATLIBDIR (`lib64`, as Fedora's Python is
# built) the same: Python looks for its libraries in that folder of its installation. Python's other variables with a
# value it refuses (PYTHONHASHSEED=abc, PYTHONMALLOC, PYTHONUTF8=2, PYTHONIOENCODING, PYTHONTRACEMALLOC: its "Fatal
# Python error") were the same two lines. Said as the variable where the command ($2...) fails with it and succeeds
# without it (a venv of Python 3.12 starts with them all, and is said to be of 3.12 after this).
# Two of them wrong at once (PYTHONHASHSEED=abc and PYTHONUTF8=2) were tried one at a time, each failing with the other
# still set: "Python 3.10 not found" again. Those with which it fails are found by starting it without all of them, then
# setting back each with which it still starts. A value holding a newline is shown on one line (as \n).
python_variable_set() {  # python_variable_set WHAT COMMAND...: the line for variables with which WHAT does not start
  local what=$1 variable each set_ones=() off=() still_off shown= why="Python refuses its value"
  shift
  ! "$@" >/dev/null 2>&1 || return 0
  for variable in $(compgen -e PYTHON); do [ -z "${!variable}" ] || set_ones+=("$variable"); done
  [ "${#set_ones[@]}" != 0 ] && (unset "${set_ones[@]}"; "$@") >/dev/null 2>&1 || return 0
  off=("${set_ones[@]}")
  for variable in "${set_ones[@]}"; do
    still_off=()
    for each in "${off[@]}"; do [ "$each" = "$variable" ] || still_off+=("$each"); done
    if (unset ${still_off[@]+"${still_off[@]}"}; "$@") >/dev/null 2>&1; then
      off=(${still_off[@]+"${still_off[@]}"})
    fi
  done
  for variable in "${off[@]}"; do
    case $variable in PYTHONHOME | PYTHONPLATLIBDIR)
      why="Python looks for its libraries there; a virtual environment needs none" ;;
    esac
    shown="$shown${shown:+ and }$variable is set ($(one_line "${!variable}"))"
  done
  if [ "${#off[@]}" != 1 ]; then
    why="Python refuses their values, or looks for its libraries where they say"
  fi
  echo "error: $shown, with which $what does not start ($why); unset $([ "${#off[@]}" = 1 ] && echo it || echo them)," \
    "then run make again" >&2
  exit 2
}
python310_there() { local search=0; find_python310 || search=$?; [ "$search" != 1 ]; }

# PIP_CONFIG_FILE naming a FIFO or a pipe (`PIP_CONFIG_FILE=<(...)`, a configuration a process writes once): each of
# the set-up's pips read it, the first (pip config list) all of it, so that pip install ran without it (packages from
# another index than it names, exit code 0), and where a FIFO's writer wrote it once, the next pip waited forever; one
# no one writes (the twenty-first pass left it alone) left the first waiting forever, as pip alone. It is read once,
# here, into a file every pip reads; one no one writes (none opens it within half a second) is refused in one line.
# (Read with O_NONBLOCK, which does not wait: a read that finds no writer ends at once, one that finds a writer that
# has not written yet fails with EAGAIN, and then waits for what it writes. A pipe's, not a FIFO's, end is its end.)
# (A function of the Python that reads it: the venv's, or for a new venv the Python 3.10 it is made from. A FIFO no
# one writes was refused once the venv was made, where a log FIFO's is refused before anything is made.)
# pip's constraint files (PIP_CONSTRAINT, pip's -c, in any of its spellings: constraint_settings below) as well: a
# pipe's (`PIP_CONSTRAINT=<(...)`) was read by the first pip install alone, and the later ones
# (requirements-nodeps.txt's, requirements-test.txt's where make installs both) ran without it, other versions than it
# pins installed, exit code 0. A FIFO no one writes there, or as PIP_REQUIREMENT (-r), left the set-up waiting forever.
# Each FIFO or pipe it names is read once as PIP_CONFIG_FILE's is, and pip is given the copies (in log_overrides).
read_copies=()
# (WHAT and UNDO: how the one-line refusal says what names it and what to do, a variable's by default)
pipe_read_once() {  # pipe_read_once PYTHON SETTING NAME [WHAT UNDO]: the file pip is to read for NAME, in read_copy
  read_copy=$3
  stream_named "$3"
  if [ -p "$3" ] || { [ "$named_stream" = 0 ] && [ -e "/proc/$$/fd/0" ] && [ ! -t 0 ]; }; then
    if ! read_copy=$(mktemp "${TMPDIR:-/tmp}/pip-config.XXXXXX" 2>&1); then
      # (a TMPDIR not there, or not the user's to write, was told to "make room" in it)
      echo "error: cannot copy $2 ($(one_line "$3")), a FIFO or pipe each of the set-up's pips would read, to a" \
        "file in $(one_line "${TMPDIR:-/tmp}") (${read_copy##*: }); make room there, or set TMPDIR to a folder you" \
        "can write, then run make again" >&2
      exit 2
    fi
    read_copies+=("$read_copy")
    trap 'rm -f -- "${read_copies[@]}"' EXIT
    read_once=0
    "$1" -c '
import os, select, stat, sys, time
given, written, started, seen = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK), [], time.monotonic(), False
# a pipe or a file, not a FIFO: what it holds is all
seen = not stat.S_ISFIFO(os.fstat(given).st_mode) or os.fstat(given).st_dev == os.fstat(os.pipe()[0]).st_dev
while True:
    try:
        chunk = os.read(given, 65536)
    except BlockingIOError:
        seen = True
        select.select([given], [], [])
        continue
    if chunk:
        seen = True
        written.append(chunk)
    elif seen:
        break
    elif time.monotonic() > started + 0.5:
        sys.exit(3)
    else:
        time.sleep(0.05)
with open(sys.argv[2], "wb") as copy:
    copy.write(b"".join(written))
  ' "$3" "$read_copy" 2>/dev/null || read_once=$?
    if [ "$read_once" = 3 ]; then
      echo "error: ${4:-$2 is set} ($(one_line "$3")), a FIFO no one writes (what writes it is not started, or" \
        "stopped), which pip would wait for forever; start what writes it, or ${5:-unset it}, then run make again" >&2
      exit 2
    fi
    [ "$read_once" = 0 ] || read_copy=$3
  fi
}
# A file name that is the set-up's stdin (stream_named) where that is closed or a terminal (stdin_refused WHAT NAME
# EXAMPLE UNDO): the line saying so. A folder there (`make setup </`, a slip for `>`), which the set-up reads as
# /dev/null, was the same empty file for its pips, pins or configuration left out, exit code 0, where pip alone fails.
stdin_refused() {
  local what
  stream_named "$2"
  [ "$named_stream" = 0 ] || return 0
  if [ ! -e "/proc/$$/fd/0" ]; then what="which is closed"; elif [ -t 0 ]; then what="a terminal"
  elif [ -n "${stdin_folder:-}" ]; then what="a folder"; else return 0; fi
  echo "error: $1 ($(one_line "$2")), the set-up's standard input, $what; give make the file there (make setup" \
    "<$3), or $4, then run make again" >&2
  exit 2
}
# A device other than /dev/null (`PIP_CONFIG_FILE=/dev/zero`, `PIP_CONSTRAINT=/dev/urandom`, a slip; `/dev/tty`): pip
# read it without end (or waited for the user to type it), the set-up with it, no line said. Refused in one line
# (device_refused WHAT NAME UNDO); the set-up's stdin a terminal is refused before, by stdin_refused.
device_refused() {
  [ -c "$2" ] && ! [ "$2" -ef /dev/null ] || return 0
  echo "error: $1 ($(one_line "$2")), a device, not a file, which pip would read without end or wait for; name a" \
    "file, or $3, then run make again" >&2
  exit 2
}
pip_config_read_once() {  # pip_config_read_once PYTHON
  # The set-up's stdin a file (`PIP_CONFIG_FILE=/dev/stdin make setup <pip.conf`): pip's stdin is /dev/null (below),
  # so that each of the set-up's pips read an empty configuration, the install from another index, exit code 0. It is
  # read once as a pipe's is (a terminal left as it is, where a pip would wait for the user to end it).
  local setting
  # A terminal there (`PIP_CONFIG_FILE=/dev/stdin make setup`): each of the set-up's pips, given /dev/null, read an
  # empty configuration, the install from another index, exit code 0, where pip alone waits for the user to type it.
  # (Closed, pip alone goes on without it, as the set-up's pips do. A folder, as above.)
  if [ -n "${PIP_CONFIG_FILE:-}" ]; then
    [ ! -t 0 ] && [ -z "${stdin_folder:-}" ] || stdin_refused "PIP_CONFIG_FILE is set" "$PIP_CONFIG_FILE" pip.conf \
      "unset it"
    device_refused "PIP_CONFIG_FILE is set" "$PIP_CONFIG_FILE" "unset it"
    pipe_read_once "$1" PIP_CONFIG_FILE "$PIP_CONFIG_FILE"
    [ "$read_copy" = "$PIP_CONFIG_FILE" ] \
      || { config_copy=$read_copy config_given=$PIP_CONFIG_FILE; export PIP_CONFIG_FILE=$config_copy; }
  fi
  # (once: the second call, with the venv's Python, would read the pipes' ends; pip splits the value at blanks)
  [ -z "${constraints_read:-}" ] || return 0
  constraints_read=1
  for setting in ${constraint_settings[@]+"${constraint_settings[@]}"}; do
    names_read_once "$1" "$setting" "${constraint_values[$setting]}"
    [ "$copies" = "${constraint_values[$setting]}" ] || log_overrides+=("$setting=$copies")
  done
}
# The names of a constraint or requirement setting (pip splits its value at blanks), each read once by pipe_read_once
# (its arguments after NAME passed on): the files pip is to read, in copies.
# (The names are read before the loop, not by it: `PIP_CONSTRAINT=/dev/stdin make setup <constraints.txt` was the
# loop's own input, the names' list, so that the set-up's stdin was not read and each pip read /dev/null, its pins left
# out, exit code 0.)
names_read_once() {  # names_read_once PYTHON SETTING VALUE [WHAT UNDO]
  local names=() name
  mapfile -t -d '' names < <(printf '%s' "$3" | tr ' \t\n\r\v\f' '\0\0\0\0\0\0' | grep -z .)
  copies=
  for name in ${names[@]+"${names[@]}"}; do
    # The set-up's stdin closed (`PIP_CONSTRAINT=/dev/stdin make setup <&-`, a service's): pip alone fails to open it,
    # but the set-up's pips, given /dev/null, read no constraints, the pins left out, exit code 0.
    # A terminal there (`PIP_CONSTRAINT=/dev/stdin make setup`, the file not given): pip alone waits for the user to
    # type it, but the set-up's pips, given /dev/null, read no constraints, the pins left out, exit code 0.
    stdin_refused "${4:-$2 is set}" "$name" constraints.txt "${5:-unset it}"
    device_refused "${4:-$2 is set}" "$name" "${5:-unset it}"
    pipe_read_once "$1" "$2" "$name" "${@:4}"
    copies+="${copies:+ }$read_copy"
  done
}

# pip's own lines when it failed: offline, five "Retrying" warnings and two errors, the last "No matching distribution
# found" (nine lines, exit code 1); a venv not the user's to write (a shared one), an OSError and a hint. Now one line
# with pip's last error; what pip installed is kept, and the next run goes on from it. A run that succeeds shows its
# lines (warnings) as before.
# PIP_ variables that send pip's install elsewhere or nowhere (PIP_TARGET, PIP_PREFIX, PIP_ROOT, PIP_DRY_RUN;
# PIP_PYTHON, into another Python's environment) or leave out the packages' dependencies (PIP_NO_DEPS): the set-up
# ended with exit code 0 and its stamp, and the venv had none of them. The set-up's pip installs into the venv without
# them, and without PIP_USER (pip's refusal in any venv).
# pip's configuration files (the user's pip.conf, the system's, PIP_CONFIG_FILE's) set the same: `target`, `prefix`,
# `root` or `dry-run` there was the same exit code 0 and stamp with the venv empty, `python` another Python's packages
# changed. pip reads its variables over its files: dry-run, no-deps and user are set off for the set-up's pip (its
# --no-deps on the command line still counts); a target, prefix, root or python in a file is refused in one line.
# (_PIP_RUNNING_IN_SUBPROCESS: pip's own mark that it runs as --python's pip, so a python setting is not followed.)
# PYTHONIOENCODING of an encoding not ASCII's (utf-16, which Python starts with): pip's lines, which the set-up reads,
# held NUL bytes, and bash's "warning: command substitution: ignored null byte in input" came before the error line.
# It writes UTF-8 as the set-up's other Pythons do (in_utf8), names not UTF-8 as their bytes: in strict UTF-8 a line of
# pip's on its output naming one (`PIP_VERBOSE=1`, a PIP_FIND_LINKS folder not UTF-8: "Looking in links: ...") was
# pip's "--- Logging error ---", said as "pip could not write its log file", which PIP_LOG names, set or not.
# pip reads a PIP_ variable whatever the case of its name after PIP_, and an option by any of its names: `PIP_Target`
# installed into that folder, and `PIP_NO_DEPENDENCIES` (--no-deps' other name) could be read after PIP_NO_DEPS=0.
# Every variable pip reads as one of those options is dropped.
# A name that is no shell variable's (`PIP_--TARGET`, `PIP_DRY-RUN`, as env or a service's environment file sets it)
# is passed on by bash unseen, and pip read it: the names are taken from env's listing (a line of a value that looks
# like one only drops a variable that is not there), and dropped by env -u. (env reads any word with a = before the
# command as a setting: `VENV=a=b` or `/tmp/x=y/venv` was "env: '-m': No such file or directory" for pip, so env runs
# bash, which runs the command.)
# (stdin /dev/null, as pip asks nothing: with the set-up's stdin closed (`make setup <&-`, a service's), pip config list
# read a pipe of the set-up's own as its stdin, so that PIP_CONFIG_FILE=/dev/stdin left it waiting forever, where pip
# alone finds no /dev/stdin and goes on)
pip_env() {
  local line name option dropped=()
  while IFS= read -r line; do
    name=${line%%=*}
    case $name in PIP_*) ;; *) continue ;; esac
    option=$(printf '%s' "${name#PIP_}" | tr 'A-Z_' 'a-z-')
    case ${option#--} in target|prefix|root|python|dry-run|no-deps|no-dependencies|user) dropped+=(-u "$name") ;; esac
  done < <(env)
  env ${dropped[@]+"${dropped[@]}"} PIP_DRY_RUN=0 PIP_NO_DEPS=0 PIP_USER=0 _PIP_RUNNING_IN_SUBPROCESS=1 \
    PYTHONIOENCODING=utf-8:surrogateescape ${log_overrides[@]+"${log_overrides[@]}"} \
    "$BASH" -c 'exec "$@"' pip_env "$@" </dev/null
}
# pip's configuration files' settings (`global.log='/tmp/pip.log'`), as `pip config list` says them. pip config list
# opens its log too (a log file's global setting, the install one being pip install's): it logs to /dev/null, the log
# variables not passed, so that a FIFO no one reads left no pip waiting.
# (said once, in config_listed, for all the checks: each `pip config list` is a second of pip's start)
# (An argument: a venv's listed by pip_config_listing alone, not pip config list first, and not kept.)
pip_config_list() {
  local variable unset=() listed
  if [ "$#" = 0 ] && [ -n "${config_listed+set}" ]; then
    [ -z "$config_listed" ] || printf '%s\n' "$config_listed"; return 0
  fi
  for variable in ${log_settings[@]+"${log_settings[@]}"}; do unset+=(-u "$variable"); done
  # (its status pip's: 1 where pip does not run, its lines then printed, as configuration_unloaded reads them)
  listed=$([ "$#" = 0 ] && pip_env env ${unset[@]+"${unset[@]}"} \
    ${config_only_settings[@]+"${config_only_settings[@]}"} PIP_LOG=/dev/null "${config_pip[@]}" config list 2>&1) \
    || { [ "${config_pip[1]}" = -m ] && listed=$(pip_env env ${unset[@]+"${unset[@]}"} \
      ${config_only_settings[@]+"${config_only_settings[@]}"} PIP_LOG=/dev/null "${config_pip[0]}" -c \
      "import sys; wheels = []$pip_config_listing" config list 2>&1); } \
    || { printf '%s\n' "$listed"; return 1; }
  printf '%s\n' "$listed" | grep -aE '^(global|install)\.' || true
}
# A configuration file pip cannot load (`[global` with no close), from pip's lines (configuration_unloaded OUTPUT;
# return 1 where they say none): what pip says of it, in unloaded. Its last line was the line of the file it stopped
# at ('[global\n'); a FIFO's copy (removed when the set-up ends) named as PIP_CONFIG_FILE gives it.
# A file not UTF-8 (UTF-16, as Windows' editors save; a binary file named by mistake) is pip's other line for one it
# cannot load, "Configuration file contains invalid UTF-8 characters in FILE.": it was said once a new venv was made.
configuration_unloaded() {
  case $1 in
    *"Configuration file could not be loaded."*)
      unloaded=$(printf '%s\n' "$1" | grep -aFx -A 2 "Configuration file could not be loaded." | sed -n '2,3p' \
        | tr '\n' ' ' | sed 's/ $//') ;;
    *"Configuration file contains invalid UTF-8 characters in "*)
      unloaded=${1#*"Configuration file contains invalid UTF-8 characters in "}
      unloaded=${unloaded%%$'\n'*} unloaded="it is not UTF-8: file '${unloaded%.}'" ;;
    *) return 1 ;;
  esac
  [ -z "${config_given:-}" ] || unloaded=${unloaded//"$config_copy"/"$config_given"}
  unloaded=$(one_line "$unloaded")
}
# A setting pip install cannot read (`PIP_TIMEOUT=abc`, `PIP_USE_PEP517=maybe`, a configuration file's `progress-bar =
# zz`) was said once a new venv was made, by pip install's line (venv's and ensurepip's seconds, a venv left), where a
# configuration file pip cannot load is refused before anything: the pip of ensurepip's wheel that lists the
# configuration reads pip install's options first (pip_of_ensurepip), and fails on it as pip install does; its line
# (setting_refused OUTPUT) is said here, naming the variable pip read it from, or else its configuration files.
# (Nothing said where OUTPUT is no such line.)
# (A value only pip config's own section holds, which pip install does not read, is not refused: pip_config_listing.)
# A value pip refuses through an option's own check (`PIP_NO_CACHE_DIR=abc`, `PIP_PYTHON_VERSION=abc`,
# `PIP_NO_USE_PEP517=1`) is pip's usage and, after it, "--no-cache-dir error: invalid truth value 'abc'" (wrapped at 70
# columns): it was said once a new venv was made, by pip install's line, naming no setting. Its option is the first
# one the message names.
# A variable set to a value pip takes beside a configuration file's that it refuses (`PIP_TIMEOUT=5`, the file's
# `timeout = abc`) was named as the one refused, "PIP_TIMEOUT is set (5), which pip refuses (invalid floating-point
# value: 'abc')", where unsetting it changes nothing: the variable is named where pip's reason quotes its value, or
# quotes none.
setting_refused() {
  local key value reason refuses="which pip refuses" undo="unset it or give it a value pip takes"
  local configured=" to a value pip refuses" mend="mend it"
  reason=$(printf '%s\n' "$1" | grep -a -m 1 -E '^the set-up cannot check pip [^ ]+: ') && {
    reason=${reason#the set-up cannot check pip } key=${reason%%: *}
    echo "error: the set-up's check of pip's settings cannot read pip $(one_line "$key"), $config_shown" \
      "$(one_line "${reason#*: }"), whose internals it does not know; $config_mend, then run make again" >&2
    exit 2
  }
  reason=$(printf '%s\n' "$1" | grep -a -m 1 -E '^pip install refuses option [^ ]+ here: ') \
    && key=${reason#pip install refuses option } key=${key%% here: *} reason=${reason#*" here: "} \
    && refuses="which the set-up's pip install cannot take" undo="unset it" configured=", $refuses" \
    mend="remove it from pip's configuration file" \
    || { reason=$(printf '%s\n' "$1" | grep -a -m 1 -E '^An error occurred during configuration: option [^ ]+: ') \
    && key=${reason#*: option } key=${key%%: *} reason=${reason#*: option "$key": }; } \
    || { reason=$(printf '%s\n' "$1" | grep -a -m 1 -E ' is not a valid value for [^ ]+ option, please ') \
    && key=${reason##* is not a valid value for } key=${key%% option, *} reason=${reason%.}; } \
    || { reason=$(printf '%s\n' "$1" | awk '/^Usage:/ { usage = 1; next } usage == 1 && !NF { usage = 2; next }
      usage == 2 && NF { said = said (said == "" ? "" : " ") $0 } END { print said }') && [ -n "$reason" ] \
    && key=$(printf '%s\n' "$reason" | grep -a -o -m 1 -E -- '--[a-z0-9][a-z0-9-]*' | head -n 1) \
    && key=${key#--} reason=${reason#"--$key error: "}; } || return 0
  if [ -n "${pip_variables[$key]:-}" ]; then
    value=$(printenv -- "${pip_variables[$key]}"; echo .) value=${value%$'\n.'}
  fi
  # (The reason on stdin: one of pip's of a line over 128 KiB, passed as an argument, was bash's "Argument list too
  # long", then the configuration named for the variable.)
  if [ -n "${pip_variables[$key]:-}" ] && [ -n "$value" ] && printf '%s' "$reason" | in_utf8 "$config_python" -c \
    'import sys
value, reason = sys.argv[1], sys.stdin.read()
marks = ("value: ", "value \x27", "choice: ", " is not a valid value for ")
sys.exit(repr(value) not in reason and not reason.startswith(value + " is not a valid value for ")
         and any(mark in reason for mark in marks))' "$value"
  then
    echo "error: ${pip_variables[$key]} is set ($(one_line "$value")), $refuses ($(one_line "$reason")); $undo," \
      "then run make again" >&2
  else
    echo "error: pip's configuration sets $(one_line "$key")$configured ($(one_line "$reason")); $mend" \
      "($config_debug names the files), or run make with PIP_CONFIG_FILE=/dev/null (no configuration files), then" \
      "run make again" >&2
  fi
  exit 2
}
# The log settings pip install takes from its configuration files (their lines): their install section's, else their
# global one's. An empty one (`log =` in the install section) was taken over the global section's, which pip takes
# (it drops empty values), so that a FIFO no one reads there was not looked at; of two names in one section (`log` and
# `log-file`), pip takes the one later in the file, which `pip config list` does not say (it sorts them), and the
# first was looked at alone, pip appending its log to the requirements the other named. Each is looked at.
configured_logs() {
  local logs
  logs=$(pip_config_list | grep -aE '^[a-z]*\.(log|log-file|local-log)=' | grep -avE "=(''|\"\")$") || true
  printf '%s\n' "$logs" | grep -a '^install\.' || printf '%s\n' "$logs" | grep -a '^global\.' || true
}
# Whether a variable (above) sets the log, which pip takes over its files'.
log_variable_set() {
  local variable
  for variable in ${log_settings[@]+"${log_settings[@]}"}; do
    [ -z "${log_values[$variable]}" ] || return 0
  done
  return 1
}
# The log setting pip install takes from a variable, said ":env:.", or else from its configuration files (their lines,
# as configured_logs), none where none sets one.
log_configured() {
  if log_variable_set; then echo ":env:."; else configured_logs | paste -sd '\t' | sed 's/\t/, /g'; fi
}
# pip's configuration files' settings, looked at once (configuration_checked) by config_pip's pip: the venv's, or for
# a new venv, before it is made, the pip Python 3.10's ensurepip would put into it (its wheel), given the venv's
# folder as its prefix (whose pip.conf is pip's "site" file). A configuration's constraint FIFO no one writes, its log
# FIFO, report or target were refused once a new venv was made (venv's and ensurepip's seconds, a venv left), where a
# variable's are refused before anything is made. (Where that pip does not run, they are looked at once the venv is.)
# pip config list, its lines as listed, by pip_config_listing (a Python program's text, after `import sys`): a value
# pip config's own section holds (`[config]` of `timeout = abc`, or `user = maybe`), which pip install does not read,
# failed pip config list alone: before a new venv refused as pip install's (pip_of_ensurepip), where pip install takes
# it, and in a venv the configuration was not looked at, its `target` taken, the install elsewhere, exit code 0. Where
# pip config list fails so, the configuration is listed as pip install read it (for a venv, pip_config_list runs it
# where `-m pip config list` fails). (Not from the folder Python runs it in, as `python -m pip`: '' first in sys.path
# is dropped; wheels, a list, first.)
# Checks pip install makes as it starts, before it reads its index, are made here too (pip's reason printed as "pip
# install refuses option KEY here: ", for setting_refused): a platform or interpreter, truststore; and the constraint,
# requirement and editable its settings name (`PIP_CONSTRAINT` of a file not there, a pip.conf's `constraint` of one
# since removed: "Could not open requirements file"), and `PIP_INSTALL_OPTION=--prefix=...`, which were said once a
# new venv was made, and in a venv there naming no setting. (Files alone: a URL is the install's to fetch, and a FIFO
# or device is read once, or refused, by pip_config_read_once and configuration_checked.) A folder or socket so named,
# a file not of the locale's encoding (pip's traceback, UnicodeDecodeError), a `file:` URL and a name with a colon,
# which pip reads as files, passed this, said once a new venv was made (the decoding's traceback taken as no refusal);
# so did a constraint of a form pip install refuses before it reaches its index (`-e folder`, extras).
pip_config_listing='
sys.path[:1] = [] if sys.path[:1] == [""] else sys.path[:1]
sys.path[:0] = wheels
from pip._internal.cli.main import main
if sys.argv[1:] != ["config", "list"]:
    sys.exit(main())
from pip._internal.commands import create_command
from pip._internal.exceptions import CommandError, InstallationError, NetworkConnectionError
install = create_command("install")
options = install.parse_args([])[0]
try:
    restricted = [name for name, value in (("python-version", options.python_version), ("platform", options.platforms),
                                           ("abi", options.abis), ("implementation", options.implementation)) if value]
    key = (restricted or ["use-feature"])[0]
    from pip._internal.cli.cmdoptions import check_dist_restriction
    check_dist_restriction(options, check_target=True)
    if "truststore" in options.features_enabled or options.constraints + options.requirements:
        options.cache_dir = None
        session = install._build_session(options)
    import os, stat
    from pip._internal.req import req_file
    from pip._internal.req.constructors import install_req_from_editable, install_req_from_parsed_requirement
    from pip._internal.req.req_file import parse_requirements
    from pip._internal.req.req_install import check_invalid_constraint_type
    from pip._internal.utils.urls import url_to_path
    # (The files read holding NULs, and how pip read them; the one whose line pip then refuses named, the innermost of
    # those pip is reading, left where a line is refused: a `-c FILE` line of UTF-16 without its BOM, its NULs dropped
    # from the reason of pip, was said "Invalid requirement: -c FILE", a line pip takes. A file of a NUL in a comment
    # alone was named for the file of UTF-16 it names, and one of UTF-32 LE with its BOM, which pip reads as UTF-16
    # (their BOMs begin alike), was said to be "without its BOM". The NULs of a file itself (a stray one in a UTF-8
    # line, or in UTF-16 with its BOM) were said to come of UTF-16 or UTF-32, to be saved in UTF-8, which a UTF-8 file
    # is: a file is told to be in one of those where its bytes decode so without a NUL, and a quarter of them are NULs.)
    import codecs
    reading, holding_nuls, bytes_read = [], {}, [b""]
    # (A `file:` URL of another host, given or named inside a file: a traceback of pip install, said naming no setting.)
    # (The internals of pip as pip 23 names them, where the pip of a venv is another: pip 24 has no get_url_scheme,
    # pip 25 no req_file.auto_decode but _decode_req_file(data, url). Their ImportError or AttributeError was a
    # traceback, taken for no refusal, so that the later pips of a venv there said the reason of pip naming no setting.)
    def get_url_scheme(name):
        return name.split(":", 1)[0].lower() if ":" in name else None
    def path_of(name):
        try:
            return url_to_path("file:" + name.split(":", 1)[1]) if get_url_scheme(name) == "file" else name
        except ValueError as elsewhere:
            raise InstallationError(elsewhere)
    # (pip 24 on reads a `file:` URL by its session, as Latin-1 whatever its BOM, not by the decoding patched here: the
    # bytes told were those of the file read before, so that UTF-16 with its BOM was said to be "without its BOM", or
    # named inside a file, to hold "NUL characters in its lines", to be removed. They are read again from the file.)
    def nuls_told(data, through_url=False):
        def wide(encodings, start=0):
            for encoding in encodings:
                try:
                    if "\0" not in data[start:].decode(encoding) and data.count(0) * 4 >= len(data):
                        return True
                except UnicodeDecodeError:
                    pass
            return False
        if through_url and wide(["utf-16", "utf-32", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"]):
            return ("holds NUL bytes (as UTF-16 or UTF-32, which pip reads through a file: URL as Latin-1); save it in "
                    "UTF-8")
        if data.startswith(codecs.BOM_UTF32_LE) and wide(["utf-32-le"], 4):
            return "holds NUL bytes (as UTF-32 with its BOM, which pip reads as UTF-16); save it in UTF-8"
        if not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)) \
                and wide(["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"]):
            return "holds NUL bytes (as UTF-16 or UTF-32 without its BOM, which pip reads as UTF-8); save it in UTF-8"
        return "holds NUL characters in its lines, which pip cannot read; remove them"
    decoding = "auto_decode" if hasattr(req_file, "auto_decode") else "_decode_req_file"
    def decoded(data, *url, decode=getattr(req_file, decoding)):
        bytes_read[0] = data
        return decode(data, *url)
    # (A pipe, device or stream named inside a file, `-r /tmp/fifo` or `-c /dev/stdin`, which each pip of the set-up
    # reads in turn after this: a FIFO no one writes left the set-up waiting forever, no line said, and /dev/stdin was
    # the /dev/null of the pips, its pins left out. A file is asked for; /dev/null by that name is taken.)
    def content_read(url, session, read=req_file.get_file_content):
        path = path_of(url)
        kind = os.stat(path).st_mode if os.path.exists(path) else 0
        if len(reading) > 1 and kind and not (stat.S_ISREG(kind) or stat.S_ISDIR(kind) or path == os.devnull):
            raise InstallationError("Could not open requirements file: %s, which %s names, is a pipe, device or "
                                    "stream, not a file, which each pip of the set-up would read in turn; name a "
                                    "file" % (url, reading[-2]))
        # (`file:////otherhost/x`: a path to url_to_path, `//otherhost/x`, another host to the session pip reads it by)
        bytes_read[0] = None
        try:
            url_read, content = read(url, session)
        except UnicodeError:
            raise
        except ValueError as elsewhere:
            raise InstallationError(elsewhere)
        if "\0" in content and bytes_read[0] is not None:
            holding_nuls[url] = nuls_told(bytes_read[0])
        elif "\0" in content and get_url_scheme(url) == "file":
            with open(path, "rb") as file:
                holding_nuls[url] = nuls_told(file.read(), through_url=True)
        return url_read, content
    def lines_read(parser, name, constraint, parse=req_file.RequirementsFileParser._parse_file):
        reading.append(name)
        yield from parse(parser, name, constraint)
        reading.pop()
    setattr(req_file, decoding, decoded)
    req_file.get_file_content = content_read
    req_file.RequirementsFileParser._parse_file = lines_read
    for key, names in (("constraint", options.constraints), ("requirement", options.requirements)):
        for name in names:
            if get_url_scheme(name) in ("http", "https"):
                continue
            path = path_of(name)
            kind = os.stat(path).st_mode if os.path.exists(path) else 0
            if not (stat.S_ISFIFO(kind) or stat.S_ISCHR(kind) or stat.S_ISBLK(kind)):
                try:
                    # (A constraint by its line, not by the setting: `-c FILE` in a requirement file is one.)
                    for parsed in parse_requirements(name, session, constraint=key == "constraint"):
                        wrong = install_req_from_parsed_requirement(parsed, isolated=options.isolated_mode)
                        wrong = parsed.constraint and check_invalid_constraint_type(wrong)
                        if wrong:
                            raise InstallationError(wrong)
                # LookupError: a coding line of no encoding; UnicodeError: of `undefined` or `punycode`, whose
                # decoding fails so (a traceback of pip install, said naming no setting)
                except (UnicodeError, LookupError) as undecoded:
                    raise InstallationError("Could not decode requirements file: %s" % undecoded)
                except RecursionError:  # files naming each other by -r or -c: a traceback of pip install
                    raise InstallationError("Could not read requirements file: its -r and -c lines lead back to a file "
                                            "they came from, or nest deeper than pip reads")
                except InstallationError as refused:
                    if reading[-1:] and reading[-1] in holding_nuls and ("\0" in str(refused)
                                                                         or "\\x00" in str(refused)):
                        raise InstallationError("Could not decode requirements file: %s %s"
                                                % (reading[-1], holding_nuls[reading[-1]]))
                    raise
    key = "editable"
    for name in options.editables:
        install_req_from_editable(name, isolated=options.isolated_mode)
    key = "install-option"
    try:
        from pip._internal.commands.install import reject_location_related_install_options
    except ImportError:
        pass
    else:
        reject_location_related_install_options([], options.install_options)
except (CommandError, InstallationError, NetworkConnectionError) as refused:
    reason = "pip takes a platform or interpreter only for an install into --target" if key in restricted else refused
    # (NULs dropped: a UTF-16 file without its BOM, read as UTF-8, put them in the reason, and the warning of bash
    # of them was a second line. In the bytes of the names given, as pip decoded them by the locale: under Latin-1 a
    # name of `é` was printed in UTF-8, shown twice encoded beside the name as given. A character of no byte in the
    # locale (`é` of a line of a UTF-8 file under KOI8-R) by its code, \xe9: the whole line was written in UTF-8, the
    # names given in it too. A line end within as \n, as the set-up shows one: the line was read to it, the reason cut
    # there, as "(UnicodeError: Invalid extended code point" and a quote, of a coding line of punycode.)
    import codecs
    def unencoded(error):
        return b"".join(bytes([ord(character) - 0xDC00]) if 0xDC80 <= ord(character) <= 0xDCFF
                        else character.encode("ascii", "backslashreplace")
                        for character in error.object[error.start:error.end]), error.end
    codecs.register_error("unencoded", unencoded)
    line = ("pip install refuses option %s here: %s" % (key, reason)).rstrip("\n").replace("\0", "")
    line = line.replace("\n", "\\n").encode(sys.getfilesystemencoding(), "unencoded")
    sys.stdout.flush()
    sys.stdout.buffer.write(line + b"\n")
    sys.exit(1)
# A pip that moved another of the internals the check uses (their ImportError, AttributeError or TypeError): a
# traceback taken for no refusal, so that the reason of pip install was said naming no setting, or a new venv made
# unchecked. Said in one line, naming that pip (setting_refused reads it).
except (ImportError, AttributeError, TypeError) as moved:
    from pip import __version__
    moved = "%s: %s" % (type(moved).__name__, str(moved).replace("\n", " "))
    print("the set-up cannot check pip %s: (%s)" % (__version__, moved))
    sys.exit(1)
try:
    sys.exit(main())
except SystemExit as stop:
    if not stop.code:
        raise
    for key, value in sorted(install.parser.config.items()):
        print("%s=%r" % (key, value))'
config_python=$venv_dir/bin/python config_pip=("$venv_dir/bin/python" -m pip)
config_debug="'$venv_shown/bin/python -m pip config debug'"
# (the pip the check runs in, and what to do where it cannot read it: setting_refused)
venv_mend="remove the venv (make clean-venv), which the set-up makes again with Python 3.10's own pip"
config_shown="the venv's ($venv_shown)" config_mend=$venv_mend
# (Run with -S, as a new venv's Python sees none of the base Python's site folders: a truststore there, which pip
# install in the venv cannot import, passed the check. The folders alone were left out of sys.path, so that one reached
# through a .pth file of them, as `pip install --user -e` puts it, still passed, the venv made before pip's refusal.)
pip_of_ensurepip='
import ensurepip, glob, os, sys
try:
    package = ensurepip._get_packages()["pip"]
    wheel = package.wheel_path or os.path.join(os.path.dirname(ensurepip.__file__), "_bundled", package.wheel_name)
except (AttributeError, KeyError):
    wheel = (glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), "_bundled", "pip-*.whl")) or [""])[0]
wheels = [wheel]
sys.prefix = sys.exec_prefix = sys.argv.pop(1)'"$pip_config_listing"
# A value as `pip config list` says it (Python's repr: `'it\'s'`, "it's", a backslash doubled), decoded by
# config_python; its status 1 where it is none.
config_value() {  # config_value TEXT
  in_utf8 "$config_python" -c 'import ast, sys; print(ast.literal_eval(sys.argv[1]))' "$1" 2>/dev/null
}
configuration_checked() {
  [ -z "${configuration_looked_at:-}" ] || return 0
  configuration_looked_at=1
  # A venv there: a setting pip install refuses (`PIP_TIMEOUT=abc`) was pip install's line, "(An error occurred during
  # configuration: option timeout: ...); what it installed is kept", naming no PIP_TIMEOUT, where a new venv's names it.
  [ -n "${config_listed+set}" ] || config_listed=$(pip_config_list) \
    || { setting_refused "$config_listed"; config_listed=; }
  # A FIFO named by pip's configuration file (`log = /tmp/pip.fifo`) was not looked at (only the variables above were):
  # one no one reads left the set-up waiting forever, from its first pip (pip config list, which opens the log too). It
  # is looked at as theirs, and so are the set-up's own files and streams.
  log_variable_set || while IFS= read -r configured; do
    [ -n "$configured" ] || continue
    # (said as Python's repr: "it's" in double quotes, a backslash doubled)
    configured_log=$(config_value "${configured#*=}") || configured_log=
    log_path "$configured_log"
    what="pip's configuration sets ${configured%%=*}" undo="remove it from pip's configuration file"
    # (one of the set-up's own files too: `log = requirements.txt` had pip append its log to the requirements)
    log_stream_copied "$what" "$configured_log" "$undo" PIP_LOG || fifo_held "$what" "$configured_log" "$undo" \
      "$log_file" || own_file_refused "$what" "$configured_log" "$log_file"
  done < <(configured_logs)
  fifo_read_or_refused
  elsewhere=$(pip_config_list | grep -aE "^(global|install)\.(target|prefix|root|python)=" | grep -avx ".*=''" \
    | head -n 1) || true
  # (and a report, as PIP_REPORT's above)
  reported=$(pip_config_list | grep -aE "^(global|install)\.report=" | grep -avx ".*=''" | head -n 1) || true
  if [ -n "$reported" ]; then
    report=$(config_value "${reported#*=}") || report=
    report_refused "pip's configuration sets $reported" "$report" \
      "remove it from pip's configuration file ($config_debug names them)"
  fi
  if [ -n "$elsewhere" ]; then
    echo "error: pip's configuration sets $elsewhere, which sends the set-up's install elsewhere than $venv_shown;" \
      "remove it from pip's configuration file ($config_debug names them), or run make with" \
      "PIP_CONFIG_FILE=/dev/null (no configuration files), then run make again" >&2
    exit 2
  fi
  # A constraint or requirement file named by pip's configuration (`constraint = /dev/fd/63` in pip.conf, or a FIFO)
  # rather than by a variable: the first pip install read the pipe, and the later ones (requirements-nodeps.txt's,
  # requirements-test.txt's) ran without it, other versions than it pins installed, exit code 0; a FIFO no one
  # writes left the set-up waiting forever. The one pip takes (a variable's, not empty, over the files', their install
  # section's over their global one's) is read once as the variables' are, and pip is given the copies in its
  # variable, which pip takes over its files.
  for option in constraint requirement; do
    for setting in ${constraint_settings[@]+"${constraint_settings[@]}"}; do
      setting_option=${setting:4} setting_option=${setting_option,,} setting_option=${setting_option//_/-}
      [ "${setting_option#--}" != "$option" ] || [ -z "${constraint_values[$setting]}" ] || continue 2
    done
    configured=$(pip_config_list | grep -aE "^(global|install)\.$option=" | grep -avE "=(''|\"\")$") || true
    configured=$(printf '%s\n' "$configured" | grep -a '^install\.' || printf '%s\n' "$configured" \
      | grep -a '^global\.') || continue
    configured_names=$(config_value "${configured#*=}") || continue
    names_read_once "$config_python" "${configured%%=*}" "$configured_names" \
      "pip's configuration sets ${configured%%=*}" "remove it from pip's configuration file"
    [ "$copies" = "$configured_names" ] || log_overrides+=("PIP_${option^^}=$copies")
  done
}
# `VENV=new/..`, `new/../mydata`: venv reads a name as Python's abspath does (new/.. is the folder new is in, here the
# repository), the shell through the folders themselves (new is missing: no folder there to check), so a folder of the
# user's files was made a venv. A `..` after a folder that is missing, or after a link, reads differently to the two.
before=
rest=$venv_dir/
while [ -n "$rest" ]; do
  part=${rest%%/*}
  rest=${rest#*/}
  if [ "$part" = .. ] && [ -n "$before" ] && { [ ! -d "$before" ] \
      || [ "$(realpath -- "$before..")" != "$(realpath -m -- "$(realpath -m -s -- "$before..")")" ]; }; then
    # a file was said to be "a missing folder or a link"
    if [ -L "${before%/}" ]; then what="a link"; elif [ -e "${before%/}" ] && [ ! -d "${before%/}" ]; then
      what="a file"; elif [ ! -e "${before%/}" ]; then what="a missing folder"; else what="a folder reached through a link"
    fi
    echo "error: $venv_shown goes up (..) from $(one_line "${before%/}"), $what, which venv reads otherwise than" \
      "the shell; write the folder's path without it" >&2
    exit 2
  fi
  before=$before$part/
done

# Two set-ups at once (`make demo` and `make app` started together on a fresh clone): both ran venv, ensurepip and pip
# in the same folder, the second saying "installing pip into .venv (it has none: ... an earlier set-up stopped)". One
# waits for the other, on a lock (flock, where the system has it) of the first folder above the venv that is there.
# The folder above where the venv is: two clones whose .venv links to one shared folder locked each its own and set it
# up at once. A folder flock cannot lock (NFS, which locks only what is open for writing) was flock's "Bad file
# descriptor", "waiting for another set-up", and exit code 65 for every set-up: the set-up goes on as without flock.
if command -v flock >/dev/null 2>&1; then
  lock_folder=$(dirname -- "$(realpath -m -- "$venv_dir" 2>/dev/null || printf '%s\n' "$venv_dir")")
  while [ ! -d "$lock_folder" ] && [ "$lock_folder" != "$(dirname -- "$lock_folder")" ]; do
    lock_folder=$(dirname -- "$lock_folder")
  done
  # (on a descriptor bash chooses, above those given: the lock held on 9 replaced the caller's 9, so that
  # `PIP_LOG=/dev/fd/9 make setup 9>>pip.log` was pip's "IsADirectoryError", and `PIP_CONFIG_FILE=/dev/fd/9` with
  # `9<pip.conf` had pip read the folder, the configuration dropped, the install from another index)
  if { exec {lock}<"$lock_folder"; } 2>/dev/null; then
    flock -n "$lock" 2>/dev/null && locked=0 || locked=$?
    if [ "$locked" = 1 ]; then  # 1: held by another; flock's errors are other codes
      echo "waiting for another set-up of a virtual environment in $(one_line "$lock_folder") to finish"
      flock "$lock" 2>/dev/null || true
    fi
  fi
fi

# A .venv made by another Python, or whose Python was removed since (a pyenv upgrade), is the user's to
# remove: say so rather than let pip fail on it. `make clean-venv` alone removes .venv, not another VENV: a line naming
# it for `VENV=v312` sent the user to remove the repository's .venv.
clean_venv="'make clean-venv VENV=$venv_shown'"
[ "$venv_dir" != .venv ] || clean_venv="'make clean-venv'"
if [ -e "$venv_dir/bin/python" ] || [ -L "$venv_dir/bin/python" ]; then
  # a Python installation (VENV=$HOME/.pyenv/versions/3.10.13) was taken for one: pip installed into it
  if [ ! -f "$venv_dir/pyvenv.cfg" ]; then
    echo "error: $venv_shown is a Python installation (it has bin/python but no pyvenv.cfg), not a virtual" \
      "environment; set VENV to a new or empty folder" >&2
    exit 2
  fi
  if ! "$venv_dir/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; then
    python_variable_set "$venv_shown's Python" "$venv_dir/bin/python" -c ''
    found=$(in_utf8 "$venv_dir/bin/python" -c 'import sys; print("Python %d.%d" % sys.version_info[:2])' \
      2>/dev/null) \
      || found="no working Python (its Python was removed or moved)"
    echo "error: $venv_shown holds $found, not the Python 3.10 NNabla 1.39 needs; remove it" \
      "($clean_venv removes it) and run make again" >&2
    exit 2
  fi
else
  # The name without the / that ends it: `VENV=dangling/` (a link to nothing) and `VENV=notes.txt/` (a file) are no link
  # and no file to test -L and -e, which follow the /: mkdir's "File exists" each.
  venv_link=$venv_dir
  while [ "${venv_link%/}" != "$venv_link" ] && [ -n "${venv_link%/}" ]; do venv_link=${venv_link%/}; done
  if [ -e "$venv_link" ] && [ ! -d "$venv_link" ]; then  # venv's own error was two lines and exit code 1
    echo "error: $venv_shown is a file, not a folder; move it, or set VENV to another folder" >&2
    exit 2
  fi
  # A folder not the user's to read (mode 000, another user's): ls's "cannot open directory" line, then venv's failure
  # and find's, exit code 1 without a line of ours.
  if [ -d "$venv_dir" ] && ! unreadable=$(ls -A -- "$venv_dir" 2>&1 >/dev/null); then
    echo "error: cannot read the folder $venv_shown (${unreadable##*: }); set VENV to a folder of yours" >&2
    exit 2
  fi
  # A `make clean-venv` stopped (Ctrl-C) after bin went (it removes bin first, pyvenv.cfg last) leaves pyvenv.cfg and
  # part of lib: venv would make its Python again over that part, and pip take its half-removed packages as installed.
  if [ -f "$venv_dir/pyvenv.cfg" ] && [ -n "$(find "$venv_dir/lib/" -type f -print -quit 2>/dev/null)" ]; then
    echo "error: $venv_shown is part of a virtual environment (pyvenv.cfg and lib without bin/python: a stopped" \
      "'make clean-venv'?); remove it ($clean_venv removes it) and run make again" >&2
    exit 2
  fi
  python310=$(find_python310) && search=0 || search=$?
  [ "$search" != 3 ] || no_ensurepip "Python 3.10 ($python310)"
  if [ "$search" != 0 ]; then
    python_variable_set "Python 3.10" python310_there
    echo "error: Python 3.10 not found (NNabla 1.39 needs it); install it, e.g. 'pyenv install 3.10' or" \
      "'apt-get install python3.10 python3.10-venv', then run make again" >&2
    exit 2
  fi
  # A path not UTF-8 (VENV's, or the folder's make runs in: a clone into such a folder): pip cannot write it into its
  # scripts (surrogates not allowed), which venv said only as ensurepip's exit status: "is its disk full?"
  case $venv_dir in /*) absolute=$venv_dir ;; *) absolute=$(pwd -P)/$venv_dir ;; esac
  if ! "$python310" -c 'import os, sys; [os.fsencode(path).decode("utf-8") for path in sys.argv[1:]]' \
      "$absolute" "$(realpath -m -- "$venv_dir")" 2>/dev/null; then
    echo "error: the path of $venv_shown ($(one_line "$absolute")) is not UTF-8, which pip cannot write into a" \
      "virtual environment's scripts; set VENV to a folder whose path is UTF-8" >&2
    exit 2
  fi
  # With Python's UTF-8 mode off (PYTHONUTF8=0) in the C locale its file system encoding is ASCII, in which pip cannot
  # write a UTF-8 path beyond ASCII (`VENV=é`) into the scripts either: "is its disk full, or its path too long?"
  if ! "$python310" -c 'import sys; [path.encode(sys.getfilesystemencoding()) for path in sys.argv[1:]]' \
      "$absolute" "$(realpath -m -- "$venv_dir")" 2>/dev/null; then
    encoding=$(in_utf8 "$python310" -c 'import sys; print(sys.getfilesystemencoding())' 2>/dev/null) \
      || encoding=unknown
    echo "error: the path of $venv_shown ($(one_line "$absolute")) cannot be written in Python's file system" \
      "encoding here ($encoding, from the locale: Python's UTF-8 mode is off), which pip needs for a virtual" \
      "environment's scripts;" \
      "set a UTF-8 locale or PYTHONUTF8=1, or set VENV to a folder whose path is ASCII" >&2
    exit 2
  fi
  # a link to nothing, or a name under a file: venv's own error was two lines and exit code 1
  if [ -L "$venv_link" ] && [ ! -e "$venv_link" ]; then  # a loop of links was said to be a link to a missing one
    echo "error: $venv_shown is a link to $(one_line "$(readlink -- "$venv_link")"), which leads to no folder" \
      "(missing, or a loop of links); remove the link, or set VENV to another folder" >&2
    exit 2
  fi
  # A folder of other files (a VENV naming the user's data) was made a venv beside them, which clean-venv then removed
  # whole. Only a venv (its pyvenv.cfg) or a venv's own folders may be there: what `python -m venv` stopped before its
  # pyvenv.cfg leaves, folders and the link lib64. Files in them (a folder of the user's bin/ and lib/) went with the
  # venv too, and a bin that links to the user's folder of scripts had venv's scripts put among them. grep -a: a name
  # not UTF-8 made grep take the listing for binary, print "binary file matches" and pass no name (the folder taken).
  # make's stamps are its own: a venv emptied with `rm -rf .venv/*` (which leaves names beginning with .) was refused.
  others=$(ls -A -- "$venv_dir" 2>/dev/null | grep -avxE 'bin|include|lib|lib64|\.installed|\.installed-test' \
    | head -n 1) || true
  [ -n "$others" ] || others=$(cd -- "$venv_dir" 2>/dev/null && find . -mindepth 1 ! -type d \
    ! \( -path ./lib64 -type l \) ! -path ./.installed ! -path ./.installed-test -print -quit | cut -c 3-) || true
  if [ -d "$venv_dir" ] && [ ! -f "$venv_dir/pyvenv.cfg" ] && [ -n "$others" ]; then
    echo "error: $venv_shown is a folder of other files (such as '$(one_line "$others")'), not a virtual" \
      "environment; set VENV to a new or empty folder" >&2
    exit 2
  fi
  # what venv may remove again if it fails: the folder it made, or what it put in an empty one
  [ -d "$venv_dir" ] && [ -z "$(ls -A -- "$venv_dir")" ] && was=empty || was=new
  [ -d "$venv_dir" ] && [ "$was" = new ] && was=full
  # the first of the folders mkdir -p makes (a new nested name): all of them go again if venv fails. Only names of
  # under 1024 characters (4096 bytes, PATH_MAX) are climbed: past it a folder that exists cannot be seen to.
  made_from=$venv_dir
  while parent=$(dirname -- "$made_from") && [ "${#parent}" -lt 1024 ] && [ ! -e "$parent" ] && [ ! -L "$parent" ]; do
    made_from=$parent
  done
  pip_config_read_once "$python310"
  config_python=$python310 config_pip=("$python310" -S -c "$pip_of_ensurepip" "$(realpath -m -- "$venv_dir")")
  config_debug="'pip config debug'"
  config_shown="Python 3.10's own ($(one_line "$python310"))"
  config_mend="make the venv with another Python 3.10 (the first python3.10 on PATH)"
  # A configuration file pip cannot load was said once the venv was made, by pip install's line (venv's and
  # ensurepip's seconds, a venv left), where pip's other settings are refused before anything is made.
  if config_listed=$(pip_config_list); then configuration_checked
  elif configuration_unloaded "$config_listed"; then
    echo "error: pip's configuration file could not be loaded ($unloaded); mend it, or run make with" \
      "PIP_CONFIG_FILE=/dev/null (no configuration files), then run make again" >&2
    exit 2
  else
    setting_refused "$config_listed"
    unset config_listed
  fi
  config_python=$venv_dir/bin/python config_pip=("$venv_dir/bin/python" -m pip)
  config_debug="'$venv_shown/bin/python -m pip config debug'"
  config_shown="the venv's ($venv_shown)" config_mend=$venv_mend
  if ! made=$(mkdir -p -- "$venv_dir" 2>&1); then
    made=${made##*: }
    # a folder above it that is a link to nothing was mkdir's "File exists"
    if [ -L "$parent" ] && [ ! -e "$parent" ]; then
      made="$(one_line "$parent") is a link to $(one_line "$(readlink -- "$parent")"), which leads to no folder"
    fi
    echo "error: cannot make the folder $venv_shown ($made); set VENV to another folder" >&2
    exit 2
  fi
  # venv refuses a link (a .venv linked to an empty folder on another disk, or to one a stopped venv left): "Unable
  # to create directory", an over-refusal. It is given the folder the link leads to.
  # `VENV=link/.` (/. after the link) was the same "Unable to create directory": venv reads the name as abspath does.
  venv_target=$venv_dir
  while [ "${venv_target%/}" != "$venv_target" ] && [ -n "${venv_target%/}" ] \
      || { [ "${venv_target%/.}" != "$venv_target" ] && [ -n "${venv_target%/.}" ]; }; do
    venv_target=${venv_target%/}
    [ "$venv_target" = / ] || venv_target=${venv_target%/.}
  done
  if [ -L "$venv_target" ]; then venv_target=$(realpath -- "$venv_target"); else venv_target=$venv_dir; fi
  echo "creating $venv_shown with $python310"
  # A read-only folder or a full disk: venv's traceback line and exit code 1, and a venv without pip left behind
  if ! failed=$(in_utf8 "$python310" -m venv "$venv_target" 2>&1); then
    # The venv removed meanwhile (`make clean-venv` during the set-up, once venv had written its pyvenv.cfg): said as
    # "is its disk full, or its path too long?", ensurepip's failure.
    if [ ! -e "$venv_target/pyvenv.cfg" ] && [[ $failed == *ensurepip* ]]; then
      echo "error: cannot create the virtual environment $venv_shown, which was removed during the set-up (by 'make" \
        "clean-venv'?); run make again once that is done, to make it anew" >&2
      exit 2
    fi
    case $was in new) rm -rf -- "$made_from" ;; empty) find "$venv_target" -mindepth 1 -delete 2>/dev/null ;; esac
    reason=$(printf '%s\n' "$failed" | grep -v '^[[:space:]]*$' | tail -n 1)
    # venv shows only ensurepip's exit status, not its reason
    case $reason in *ensurepip*) reason="pip could not be installed into it: is its disk full, or its path too long?" ;; esac
    # A folder an earlier venv had stopped in (its own folders, no pyvenv.cfg: kept, as what was there cannot be told
    # from what venv added) was said to have "nothing of it left", its bin/python and pyvenv.cfg there.
    left="nothing of it is left"
    [ "$was" != full ] || left="what venv made in it is left, beside what was there, for the next run to go on from"
    echo "error: cannot create the virtual environment $venv_shown (${reason#Error: }); $left: make" \
      "room or write access there, or set VENV to another folder" >&2
    exit 2
  fi
fi
# A set-up stopped while `python -m venv` installed pip (Ctrl-C) leaves a .venv without pip, which every later
# run would hand to pip: install it now. A venv made without pip (uv venv, python -m venv --without-pip) was said to
# be one a set-up had stopped in.
# pip there but failing to start (a pip.conf it cannot read; a PIP_ variable it cannot read, `PIP_TIMEOUT=abc`) was said
# to be none: ensurepip put it in again every run. pip is looked for as its command's module, which reads no
# configuration; pip_install's line below names what pip cannot read.
if ! "$venv_dir/bin/python" -c 'import pip._internal.cli.main' >/dev/null 2>&1; then
  # `python3.10 -m venv --without-pip`, the way round a missing python3.10-venv: ensurepip's "No module named" line
  "$venv_dir/bin/python" -c 'import ensurepip' >/dev/null 2>&1 \
    || no_ensurepip "$venv_shown has no pip, and its Python ($(readlink -f -- "$venv_dir/bin/python"))"
  echo "installing pip into $venv_shown (it has none: it was made without, or an earlier set-up stopped before pip" \
    "was in)"
  # a venv without pip not the user's to write (a shared one made by uv), or a full disk: ensurepip's pip error, its
  # traceback and exit code 1. Now one line with pip's error.
  if ! failed=$(in_utf8 "$venv_dir/bin/python" -m ensurepip --upgrade --default-pip 2>&1 >/dev/null)
  then
    # The venv removed meanwhile (`make clean-venv` while ensurepip put pip in): "make room or write access there".
    if [ ! -e "$venv_dir/bin/python" ]; then
      echo "error: cannot install pip into $venv_shown, which was removed during the set-up (by 'make clean-venv'?);" \
        "run make again once that is done, to make it anew" >&2
      exit 2
    fi
    reason=$(printf '%s\n' "$failed" | grep -a '^ERROR: ' | tail -n 1) || true
    [ -n "$reason" ] || reason=$(printf '%s\n' "$failed" | grep -av '^[[:space:]]*$' | tail -n 1) || true
    echo "error: cannot install pip into $venv_shown (${reason#ERROR: }); make room or write access there, or set" \
      "VENV to another folder" >&2
    exit 2
  fi
fi
# (PIP_CONFIG_FILE read once, before the venv's pips, by pip_config_read_once above)
pip_config_read_once "$venv_dir/bin/python"
configuration_checked
declare -A pips_said=()
pip_install() {  # pip_install REQUIREMENTS_FILE PIP_OPTION...
  local output reason status=0 line said_now=() refused
  fifo_read_or_refused
  # (NULs dropped, as in pip_config_listing: a UTF-16 constraint file without its BOM put them in the line of pip, and
  # the warning of bash of them was a second line; the status pip's, by pipefail)
  output=$(pip_env "$venv_dir/bin/python" -m pip install --quiet --disable-pip-version-check -r "$@" 2>&1 \
    | tr -d '\0') || status=$?
  # A log file pip opens but cannot write (PIP_LOG on a full disk, or /dev/full), which the check above lets by: pip's
  # "--- Logging error ---" and a traceback for each line it logged, over a thousand lines, with exit code 0.
  # A log file named by pip's configuration (`log = /dev/full` in pip.conf) was said to be PIP_LOG's, unset: the
  # setting pip took is named (its variables over its files, and a file's install section over its global one).
  case $output in *"--- Logging error ---"*)
    reason=$(printf '%s\n' "$output" | grep -aE '^[A-Za-z.]*(Error|Exception): ' | tail -n 1) || true
    fifo_read_or_refused  # (a collector that stopped in the install: pip's BrokenPipeError; pip config list would wait)
    named=$(log_configured)
    case $named in
      # pip's variable by the name it was set by: `PIP_Log` (pip reads any case) was said as "which PIP_LOG,
      # PIP_LOG_FILE or PIP_LOCAL_LOG names; unset it", none of them set
      # Read from env's listing a line at a time, a value holding a newline and a line `PIP_LOG=...` named a variable
      # not set ("which PIP_LOG, PIP_LOG names"): the names are log_settings', read from `env -0` above, those pip
      # takes (not empty).
      "" | ":env:."*) variables=
        for log_setting in ${log_settings[@]+"${log_settings[@]}"}; do
          [ -z "${log_values[$log_setting]}" ] || variables+="$log_setting, "
        done
        # (two of them set: "which PIP_LOG_FILE, PIP_Log names; unset it")
        case ${variables%, } in
          "") named="which PIP_LOG, PIP_LOG_FILE or PIP_LOCAL_LOG names; unset it" ;;
          *", "*) named="which ${variables%, } name; unset them" ;;
          *) named="which ${variables%, } names; unset it" ;;
        esac ;;
      *) named="which pip's configuration sets ($named); remove it from pip's configuration file"
         named="$named ('$venv_shown/bin/python -m pip config debug' names them)" ;;
    esac
    echo "error: pip could not write its log file (${reason:-its logging failed}), $named or name a file pip can" \
      "write, then run make again" >&2
    exit 2 ;;
  esac
  # A warning each of the set-up's pips gives (`PIP_INDEX_URL='not a url'`: "The index url ... seems invalid") was said
  # once for each, two or three times, where pip alone says it once a run: a line an earlier pip said is left out.
  if [ "$status" = 0 ]; then
    # (its lines by name, x before each, as a key may not be empty: a string searched for each was seconds a thousand
    # lines, `PIP_VERBOSE=1`; split by mapfile, as read takes a line's end after a byte not UTF-8 for part of it)
    [ -z "$output" ] || mapfile -t said_now <<< "$output"
    for line in ${said_now[@]+"${said_now[@]}"}; do
      [ -n "${pips_said["x$line"]+said}" ] || printf '%s\n' "$line" >&2
    done
    for line in ${said_now[@]+"${said_now[@]}"}; do pips_said["x$line"]=1; done
    return 0
  fi
  # pip's last ERROR line; where a package's own build failed, that build's last line (pip ends on "See above")
  reason=$(printf '%s\n' "$output" | grep -a '^ERROR: ' | tail -n 1) || true
  # pip's own failure (a full /tmp: "No usable temporary directory found") is "ERROR: Exception:" and a traceback, said
  # as "(Exception:)": the traceback's last line says what failed
  # An exception without a message (MemoryError), or named with a _ (pip._vendor's, a class of a function's) was the
  # "(Exception:)" again, or an earlier exception of a chain: the first line not indented after the last "Traceback".
  # A message beginning with a line end (`Exception: ` and the message below it) was said as "(Exception: )": the
  # line after it that is not empty is added.
  [ "$reason" != "ERROR: Exception:" ] || reason=$(printf '%s\n' "$output" | awk '
    /^Traceback \(most recent call last\):$/ { inside = 1; last = ""; more = 0; next }
    more && NF { sub(/^[[:space:]]+/, ""); last = last " " $0; more = 0; next }
    inside && /^[^[:space:]]/ { last = $0; inside = 0; more = sub(/:[[:space:]]*$/, ":", last) }
    END { print last }') || true
  # An ERROR line ending in a colon, what it names on the lines below it (PIP_REQUIRE_HASHES=1 of the requirements' ~=
  # pins: "In --require-hashes mode, all requirements must have their versions pinned with ==. These do not:", the
  # line ending there): the first of them.
  case $reason in "ERROR: Exception:") ;; "ERROR: "*:)
    reason="$reason $(printf '%s\n' "$output" | grep -aFx -A 1 -- "$reason" | sed -n '2s/^[[:space:]]*//p')"
    reason=${reason% } ;;
  esac
  # A build that failed without an "error:" line (a Python exception, a compiler's "gcc: error: ...") was pip's closing
  # "hint: See above for details.", with nothing above: the build's last line, which pip shows before "[end of output]".
  # A build whose last line was empty was that "See above" again, and one that printed an "error:" line before its
  # failure ("error: old option ignored") was said to fail on it: the last line of the build's own that is not empty.
  [ -n "$reason" ] || reason=$(printf '%s\n' "$output" | awk '
    / \[[0-9]+ lines? of output\]$/ { inside = 1; last = ""; next }
    /^[[:space:]]*\[end of output\]$/ { if (last != "") found = last; inside = 0; next }
    inside && NF { last = $0 }
    END { print found }' | sed 's/^[[:space:]]*//; s/^error: //') || true
  [ -n "$reason" ] || reason=$(printf '%s\n' "$output" | grep -aiE '^[[:space:]]*error: ' \
    | grep -avE 'error: (subprocess-exited-with-error|legacy-install-failure|metadata-generation-failed)' \
    | tail -n 1 | sed 's/^[[:space:]]*error: //') || true
  [ -n "$reason" ] || reason=$(printf '%s\n' "$output" | grep -av '^[[:space:]]*$' | tail -n 1) || true
  # A check pip install makes as it starts (`PIP_PLATFORM=x`, `PIP_USE_FEATURE=truststore` without truststore), in a
  # venv there: pip's reason alone ("When restricting platform ..., either --no-deps must be set"), naming no setting,
  # where a new venv's line names it, read by pip_config_listing before the venv is made. Read so here, once it failed.
  refused=$(pip_config_list listing) || setting_refused "$refused"
  # a pip.conf pip cannot read (configuration_unloaded)
  ! configuration_unloaded "$output" || reason="its configuration file could not be loaded: $unloaded"
  case $output in *NewConnectionError*|*"Failed to establish a new connection"*|*"Temporary failure in name"*\
      |*ConnectTimeout*|*ReadTimeout*|*"Max retries exceeded"*|*ProxyError*|*SSLError*)
    reason="the package index could not be reached: ${reason#ERROR: }; check the network or pip's index settings" ;;
  esac
  # pip's reason naming the configuration's copy (a FIFO's that pip cannot load: "file: '/tmp/pip-config.zctCxW'",
  # removed when the set-up ends) names PIP_CONFIG_FILE as given.
  [ -z "${config_given:-}" ] || reason=${reason//"$config_copy"/"$config_given"}
  reason=$(one_line "${reason#ERROR: }")
  # The venv removed meanwhile (`make clean-venv` during the set-up): bash's "No such file or directory" for its
  # Python, said as "what it installed is kept" of a venv that is gone.
  if [ ! -e "$venv_dir/bin/python" ]; then
    echo "error: pip could not install $1 into $venv_shown, whose Python was removed during the" \
      "set-up (by 'make clean-venv'?); run make again once that is done, to make it anew" >&2
    exit 2
  fi
  echo "error: pip could not install $1 into $venv_shown ($reason); what it installed is kept: run make" \
    "again once that is put right" >&2
  exit 2
}
# --no-warn-conflicts: once nnabla_converter is in (below, without its dependencies), every later install
# would list the command-line converter's dependencies as missing, which they are on purpose
# (each requirements file given, in order: the Makefile gives requirements-test.txt or requirements-gpu.txt after
# requirements.txt where it needs both, so that a PIP_CONFIG_FILE pipe read once serves both)
for each_requirements in "${@:2}"; do pip_install "$each_requirements" --no-warn-conflicts; done
pip_install "$(dirname "$requirements")/requirements-nodeps.txt" --no-deps
