# Entry points: `make demo` (the main job), `make app` (the web page) and `make test`; `make setup-gpu`
# adds the CUDA extension.
# Both create .venv with Python 3.10 (NNabla 1.39 has no wheels for newer Pythons) on first use.
# `make setup` (and so `make demo`) installs requirements.txt, what the product needs; `make test` (and
# `make bench`, `make gpu-check`) add requirements-test.txt, what only the tests and benchmarks use.
# `make -f ~/TecoGAN/Makefile demo` run in another folder: its commands ran there, make's "No rule to make target
# 'requirements.txt'" (as if the repository lacked it), and clean-venv removed that folder's .venv. Refused for every
# goal.
# `make -e demo` (make's --environment-overrides) took the environment's variables over this Makefile's own: a PYTHON
# set for another tool (node-gyp reads one) ran demo.py with that Python, exit code 0 after the set-up of the venv, and
# a VENV (read from the command line alone, below) named another's venv for clean-venv to remove. Under -e such a name
# of the Makefile's in the environment is refused (CHROMIUM and TEST_WORKERS, read from the environment, are not).
environment_overrides := $(strip $(if $(findstring e,$(firstword -$(MAKEFLAGS))),$(foreach name,VENV PYTHON MPIRUN \
    STAMP TEST_STAMP BIGBUCKBUNNY DEBIAN_CHROMIUM VENV_OWN_FILES VENV_OWN_FOLDERS VENV_RULE_SPECIAL VENV_SPECIAL,$(if \
    $(filter environment override,$(origin $(name))),$(name)))))
ifneq ($(environment_overrides),)
$(error make -e takes $(firstword $(environment_overrides)) from the environment over this Makefile's own, which names \
    the venv and what runs in it; run make without -e (giving VENV on its command line), or unset \
    $(firstword $(environment_overrides)))
endif
ifeq ($(wildcard utils/make_venv.sh),)
$(error make runs in $(CURDIR), which has no utils/make_venv.sh: this Makefile ($(strip $(MAKEFILE_LIST))) is run in \
    its own folder; run make there, e.g. make -C with that folder)
endif
# A folder with a utils/make_venv.sh of its own (another clone, another project) passed that check: `make -f
# ~/TecoGAN/Makefile clean-venv` there removed its .venv. The Makefile make runs in its folder must be this one.
# (This Makefile's name: what make read before it, MAKEFILES, left out. make keeps no more than one space in a row of
# it: a name it does not give is not checked.)
this_makefile := $(strip $(filter-out $(MAKEFILES),$(MAKEFILE_LIST)))
ifneq ($(shell name="$(subst `,\`,$(subst ",\",$(subst $$,\$$,$(subst \,\\,$(this_makefile)))))"; \
      { [ ! -e "$$name" ] || [ Makefile -ef "$$name" ]; } && echo same),same)
$(error make runs in $(CURDIR), whose Makefile is not this one ($(this_makefile)): this Makefile is run in its own \
    folder; run make there, e.g. make -C with that folder)
endif
# VENV is make's command line's alone (`make demo VENV=v`): a VENV in the environment (a name other tools and shells
# set for venvs of their own) is not taken, where CHROMIUM and TEST_WORKERS are, so that `make clean-venv` never
# removes one of theirs.
VENV := .venv
# The shell's and Python's blanks other than space and tab, which make's strip drops as well (through the shell, whose
# printf is its own: make runs a command of no shell characters itself, from PATH):
carriage_return := $(shell printf '\r' 2>/dev/null)
vertical_tab := $(shell printf '\v' 2>/dev/null)
form_feed := $(shell printf '\f' 2>/dev/null)
define newline


endef
# The other control characters but a tab (an escape sequence's ESC, a backspace, DEL) were printed raw in the lines
# naming CHROMIUM or VENV, the line redrawn or the terminal changed from there: shown by their codes (\x1b), as the
# product's Python lines show them (utils/errors.py) and the set-up's (make_venv.sh's one_line).
control_codes := 01 02 03 04 05 06 07 08 0e 0f 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f 7f
control_characters := $(shell printf '$(foreach code,001 002 003 004 005 006 007 010 016 017 020 021 022 023 024 025 \
    026 027 030 031 032 033 034 035 036 037 177,\$(code) )' 2>/dev/null)
controls_shown = $(if $2,$(call controls_shown,$(subst $(firstword $2),\x$(firstword $3),$1),$(wordlist \
    2,99,$2),$(wordlist 2,99,$3)),$1)
blanks_shown = $(call controls_shown,$(subst $(newline),\n,$(subst $(carriage_return),\r,$(subst \
    $(vertical_tab),\v,$(subst $(form_feed),\f,$1)))),$(control_characters),$(control_codes))
# `VENV='$HOME/v'` (quoted, so the shell left the $ to make) made a venv OME/v: make reads $H as its own variable H,
# empty; `clean-venv VENV='a$b'` removed the venv a. A $ before one character is refused for every goal, first (one
# ending the name is make's literal $, refused below); $(NAME) and ${NAME} are make's own way, meant as such.
# `$$` is make's literal $, taken before a $ ending the name: `VENV='a$$'` (the folder a$) was said to hold a $ make
# reads as its variable. A `$(` or `${` left open (`VENV='$(HOME'`) was make's "Makefile:21: *** unterminated variable
# reference", naming no VENV: refused here, before the name is read.
dollar := $$
open_paren := (
close_paren := )
# (Of a variable named $1: its text without make's literal $s, where the checks look for a $ make reads; $2 counted.)
unquoted_dollars = $(patsubst %$(dollar),%,$(subst $(dollar)$(dollar),,$(value $1)))
# Counted (the opens against the closes of the whole name, and the last of them a close), a `(` or `}` of the name's
# own outside a reference was read as one left open or as its close: `CHROMIUM='/opt/a(b/$$(HOME)/chrome'` and
# `'/opt/x}/$${HOME}/chrome'`, which make reads, refused as "not closed"; `VENV='$$(a $${b)}'` (a $${ closed only after
# the $$( around it, the first look's left-alone) passed, make's own "unterminated variable reference". Each
# reference is read as make reads it (expand.c; by awk, where the name holds one): from its $$( or $${ to the first
# close of its kind, none being make's error; where a $$ comes before that close, to the close that matches it
# counting the opens of its kind, its text read again so (none matching: make reads the name to the first close, and
# no further).
# A reference that is a call of one of make's functions (its name, then a blank: `$$(subst a,(b,c)`) is read as make's
# function.c reads it, before a variable's: to the close that matches it counting the opens of its kind, wherever a $$
# is, its arguments (split at the commas outside opens of its kind, the last taking the rest past the function's
# count of arguments) read again so; `VENV='$$(subst a,(b,c)'` (a `(` of the name's own in an argument) was make's
# "unterminated call to function 'subst'", and `'$$(subst $${a,b},c,d)'` its "unterminated variable reference",
# naming no VENV.
# A call with fewer arguments than its function takes (`VENV='$$(subst (,),v)'`, the commas read as make reads them)
# was make's "insufficient number of arguments (2) to function 'subst'", naming no VENV: said as such (awk prints
# "few", the function's name, its count and the least it takes). Not in an argument make may leave unread (`$$(if
# v,v,$$(subst a,b))`, which make reads as v: an if's branches, the arguments after an and's or or's first, a foreach's
# text, make 4.4's intcmp's branches), which make reads without that error where it is not taken. Where the arguments
# before it are plain text (no $$ make reads), they decide whether make reads it, and it is checked where they say make
# does: `VENV='$$(and v,$$(word 1))'` (and's second after a first not blank; if's then-branch after a condition not
# blank, its else-branch after a blank one, or's after blanks, foreach's text over words) was make's "insufficient
# number of arguments (1) to function 'word'", naming no VENV.
# (make's $$(shell) joins the lines of its command: each statement ends in a ;)
define dollar_scan_awk
BEGIN { count = split(functions, list, " "); for (each = 1; each <= count; each++) { split(list[each], pair, ":");
  arity[pair[1]] = pair[2]; least[pair[1]] = pair[3] + 0 } };
function kind_of(text) {
  gsub(/\$$\$$/, "x", text); return index(text, "$$") ? "?" : text ~ /^[ \t\n\r\v\f]*$$/ ? "b" : "f"
};
function argument(name, count, text, kinds, maybe, sure, found) {
  maybe = (name == "if" || name == "and" || name == "or") && count > 1 || name == "foreach" && count == 3;
  maybe = maybe || name == "intcmp" && count > 2;
  sure = name == "if" && (count == 2 && kinds ~ /^f/ || count == 3 && kinds ~ /^b/);
  sure = sure || name == "and" && kinds ~ /^f+$$/ || name == "or" && kinds ~ /^b+$$/;
  sure = sure || name == "foreach" && count == 3 && kinds ~ /^.f/;
  maybe = maybe && !sure;
  lazy += maybe; found = unclosed(text); lazy -= maybe; return found
};
function unclosed(text, at, kind, closer, rest, first, depth, end, name, after, args, count, begun, each, character,
  kinds) {
  at = 1;
  while (at <= length(text)) {
    if (substr(text, at, 1) != "$$") { at++; continue };
    kind = substr(text, at + 1, 1);
    if (kind != "(" && kind != "{") { at += 2; continue };
    closer = kind == "(" ? ")" : "}"; rest = substr(text, at + 2);
    name = rest; sub(/[^A-Za-z0-9_-].*/, "", name); after = substr(rest, length(name) + 1, 1);
    if (name != "" && (name in arity) && (after == "" || index(" \t\n\r\v\f", after))) {
      depth = 0;
      for (end = length(name) + 1; end <= length(rest); end++) {
        if (substr(rest, end, 1) == kind) depth++; else if (substr(rest, end, 1) == closer && --depth < 0) break
      };
      if (end > length(rest)) return 1;
      args = substr(rest, length(name) + 1, end - length(name) - 1); count = 1; depth = 0; begun = 1; kinds = "";
      for (each = 1; each <= length(args); each++) {
        character = substr(args, each, 1);
        if (character == kind) depth++; else if (character == closer) depth--;
        else if (character == "," && !depth && count != arity[name]) {
          if (argument(name, count, substr(args, begun, each - begun), kinds)) return 1;
          kinds = kinds kind_of(substr(args, begun, each - begun)); begun = each + 1; count++
        }
      };
      if (argument(name, count, substr(args, begun), kinds)) return 1;
      if (count < least[name] && !lazy) { few = name " " count " " least[name]; return 1 };
      at += 2 + end; continue
    };
    first = index(rest, closer);
    if (!first) return 1;
    if (!index(substr(rest, 1, first - 1), "$$")) { at += 2 + first; continue };
    depth = 0;
    for (end = 1; end <= length(rest); end++) {
      if (substr(rest, end, 1) == kind) depth++; else if (substr(rest, end, 1) == closer && --depth < 0) break
    };
    if (end > length(rest)) return 0;
    if (unclosed(substr(rest, 1, end - 1))) return 1;
    at += 2 + end
  };
  return 0
};
{ name = name (NR > 1 ? "\n" : "") $$0 };
END { if (unclosed(name)) print few == "" ? "unclosed" : "few " few }
endef
# (make's functions, each with its count of arguments, 0 for any, and the least it takes: those of GNU make 4.3, and
# 4.4's let and intcmp where make is newer, guile where it has it)
make_functions := abspath:1 addprefix:2:2 addsuffix:2:2 and:0:1 basename:1 call:0:1 dir:1 error:1 eval:1 file:2:1 \
    filter:2:2 filter-out:2:2 findstring:2:2 firstword:1 flavor:1 foreach:3:3 if:3:2 info:1 join:2:2 lastword:1 \
    notdir:1 or:0:1 origin:1 patsubst:3:3 realpath:1 shell:1 sort:1 strip:1 subst:3:3 suffix:1 value:1 warning:1 \
    wildcard:1 word:2:2 wordlist:3:3 words:1 $(if $(filter guile,$(.FEATURES)),guile:1) $(if $(filter-out 3.% 4.0% \
    4.1% 4.2% 4.3%,$(MAKE_VERSION)),let:3:3 intcmp:5:2)
dollar_unclosed = $(if $(findstring $(dollar)$(open_paren),$(call unquoted_dollars,$1))$(findstring $(dollar){,$(call \
    unquoted_dollars,$1)),$(shell printf '%s' '$(subst ','\'',$(value $1))' | awk -v functions='$(strip \
    $(make_functions))' '$(dollar_scan_awk)' 2>/dev/null))
dollar_read = $(findstring $(dollar),$(subst $(dollar){,,$(subst $(dollar)$(open_paren),,$(call unquoted_dollars,$1))))
# The refusals of a setting named $1 given to make with a $ it reads ($2: what its value is, a name or a path; $3: what
# to do), VENV's, CHROMIUM's and TEST_WORKERS': its text as given, shown as the other lines show names, by blanks_shown
# above (`make clean-venv VENV=$$'a$$b\nc'`, the one goal that takes a name make splits, was refused in two lines).
comma := ,
define dollars_refused
dollar_scan_of_$1 := $$(call dollar_unclosed,$1)
ifeq ($$(dollar_scan_of_$1),unclosed)
$$(error $1 '$$(call blanks_shown,$$(value $1))' holds a $$(dollar)$$(open_paren) or $$(dollar){ that is not closed, \
    which make cannot read; $3)
endif
ifeq ($$(firstword $$(dollar_scan_of_$1)),few)
$$(error $1 '$$(call blanks_shown,$$(value $1))' holds a call of make's function $$(word 2,$$(dollar_scan_of_$1)) \
    with $$(word 3,$$(dollar_scan_of_$1)) argument$$(if $$(filter 1,$$(word 3,$$(dollar_scan_of_$1))),,s)$$(comma) \
    fewer than the $$(word 4,$$(dollar_scan_of_$1)) it takes$$(comma) which make cannot read; $3)
endif
ifneq ($$(call dollar_read,$1),)
$$(error $1 '$$(call blanks_shown,$$(value $1))' holds a $$$$ that make reads as one of its variables (the $2 \
    became '$$(call blanks_shown,$$($1))'); $3)
endif
endef
$(eval $(call dollars_refused,VENV,name,write the folder out$(comma) e.g. $(HOME)/venv))
# make splits a name at its spaces: `make setup VENV="~/my venv"` made a venv of the folder ~/my, the user's, and
# asked pip for a requirements file 'venv'. Only clean-venv (quoted) takes such a name, to remove one made otherwise.
# A newline or space ending the name (a VENV of `$(shell ...)`'s line) is one word to make but split the set-up's command
# line: make_venv.sh's "unbound variable" and make's line.
# A carriage return, vertical tab or form feed ending it (`VENV=$$'v\r'`, from a file of Windows' line ends) was said to
# be "a space, tab or newline", the name shown without it: it is named, and shown as \r, \v or \f (a newline as \n).
# `VENV=` (empty: `VENV=$MY_VENV` with MY_VENV unset) was refused as "not one word, or begins or ends with a space,
# ...", true but not what is wrong, and `make clean-venv VENV=` printed `rm -rf ""`, exit code 0, nothing removed:
# said as empty, for every goal (a reference make reads as nothing, `VENV='$$(x)'`, shown as given).
ifeq ($(VENV),)
$(error VENV is empty$(if $(value VENV), ('$(call blanks_shown,$(value VENV))', which make reads as nothing)): \
    name the virtual environment's folder, or leave VENV out for .venv)
endif
ifneq ($(words $(VENV))$(VENV),1$(strip $(VENV)))
ifneq ($(filter-out clean-venv,$(or $(MAKECMDGOALS),setup)),)
$(error VENV '$(call blanks_shown,$(VENV))' is not one word, or begins or ends with a space, tab, newline, carriage \
    return, vertical tab or form feed: make splits a name at them; choose a folder whose path has none)
endif
endif
# The set-up's commands take the name unquoted: `VENV='~/v*'` was globbed to a user's folder ~/venv-data, made a venv;
# a `%` made its rule a pattern (nothing done, exit code 0); `'`, `"`, `;`, `&`, `(` were the shell's errors, `\` and
# `$$` named another folder, a `#` beginning it was a comment. clean-venv quotes it (venv_quoted), but a `:` or `;`
# breaks the rules below for every goal.
# Braces: `VENV='v{1,2}'` where /bin/sh is bash (Fedora, Arch, macOS) made a venv v1 and asked pip for a requirements
# file v2; `make gpu-check`'s steps (bash) ran v1/bin/python v2/bin/python.
hash := \#
VENV_RULE_SPECIAL := : ;
VENV_SPECIAL := $(VENV_RULE_SPECIAL) \ $$ " ` % ' * ? [ & | < > ( ) { }
venv_holds = $(strip $(foreach character,$1,$(findstring $(character),$(VENV))) \
    $(if $2,$(if $(filter $(hash)%,$(VENV)),$(hash))))
ifneq ($(if $(filter-out clean-venv,$(or $(MAKECMDGOALS),setup)),$(call venv_holds,$(VENV_SPECIAL),\
      start),$(call venv_holds,$(VENV_RULE_SPECIAL))),)
# (the name shown as in the refusal above: `make clean-venv VENV=$$'a:\nb'`, a name make splits, was refused in two
# lines)
$(error VENV '$(call blanks_shown,$(VENV))' holds $(call venv_holds,$(VENV_SPECIAL),start), which make or the shell \
    reads in its commands; choose a folder whose path has none)
endif
# `VENV='~'` made the user's home folder a venv (the shell reads a ~ beginning the set-up's word as a home folder), which
# make's Python check and clean-venv (quoted) read as a folder named ~: refused for every goal.
ifneq ($(filter ~%,$(VENV)),)
$(error VENV '$(call blanks_shown,$(VENV))' begins with ~, which the shell reads as a home folder in some of the \
    commands and not in others; write the folder out, e.g. $(HOME)/venv)
endif
# `VENV=-v`, `--help`, `-`: venv, touch and rm read a name beginning with - as an option (a venv named -, then touch's
# two lines; venv's help, then bash's line): refused for every goal.
ifneq ($(filter -%,$(VENV)),)
$(error VENV '$(call blanks_shown,$(VENV))' begins with -, which the set-up's commands read as an option; write it \
    as ./$(call blanks_shown,$(VENV)))
endif
# a name as the shell reads it inside double quotes: `clean-venv VENV='a$$b'` removed the venv `a`
venv_quoted = $(subst `,\`,$(subst ",\",$(subst $$,\$$,$(subst \,\\,$1))))
# `VENV=a=b` was set up, but the shell read the first word of `a=b/bin/python demo.py` as an assignment: "demo.py: not
# found" for every command run with the venv's Python. A relative name holding a = is run as ./a=b.
# `VENV=@v` or `+v`: make reads a recipe line's leading @ or + (after expanding it) as its own mark, and ran
# v/bin/python demo.py, another venv's Python or "make: v/bin/python: No such file or directory". Run as ./@v.
venv_command := $(if $(filter-out /%,$(VENV)),$(if $(or $(findstring =,$(VENV)),$(filter @% +%,$(VENV))),./))$(VENV)
PYTHON := $(venv_command)/bin/python
MPIRUN := OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 $(venv_command)/bin/mpirun
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
BIGBUCKBUNNY = $$($(PYTHON) -c "from utils.video_io import sample_clip; \
                                 print(sample_clip('bigbuckbunny.mp4'))")

.PHONY: setup setup-test setup-gpu browser test demo app demo-model demo-model-x2 bench gpu-check clean-venv

setup: $(STAMP)

setup-test: $(TEST_STAMP)

# A VENV of two words (clean-venv's alone) made these rules of two targets each, the first word twice: make's "warning:
# overriding recipe for target 'a'" and "ignoring old recipe" on a clean-venv that succeeded. They are its only use.
ifeq ($(words $(VENV))$(VENV),1$(strip $(VENV)))
# A venv that is not the user's to write (a shared one, linked to) and holds what the requirements ask: touch's "cannot
# touch '.venv/.installed': Permission denied" stopped every `make demo`. Without its stamp, make checks it each time.
# make's goals that need requirements-test.txt (or requirements-gpu.txt) beside requirements.txt ran the set-up twice
# where requirements.txt's was to run (`make setup-test` of a new venv; `make test` and `bench` too, and
# `make setup-gpu`): a PIP_CONFIG_FILE pipe (`<(...)`) was read by the first alone, and the second installed the test
# packages with an empty configuration, from another index than it names, exit code 0; a FIFO written once was refused
# at the second. requirements.txt's set-up installs them in the same run (set_up_with, which the rules below read as
# their recipes run, after this one), and theirs is not run again.
# The test stamp's file as the goal is compared as a path (make reads `./v/.installed-test` as `v/.installed-test`):
# `make venv/.installed-test VENV=./venv` (a VENV written with ./, as the refusal of a leading - asks) ran the two
# set-ups again, the test packages installed with an empty configuration where PIP_CONFIG_FILE was a pipe, exit code 0.
more_requirements := $(if $(filter setup-test test bench $(abspath $(TEST_STAMP)),$(MAKECMDGOALS) $(abspath \
    $(MAKECMDGOALS))),requirements-test.txt) $(if $(filter setup-gpu,$(MAKECMDGOALS)),requirements-gpu.txt)
$(STAMP): requirements.txt requirements-nodeps.txt utils/make_venv.sh
	$(eval set_up_with := $(more_requirements))
	@bash utils/make_venv.sh $(VENV) requirements.txt $(strip $(more_requirements))
	@touch $(STAMP) 2>/dev/null || true

# A .venv whose Python does not run (missing, or removed since by a pyenv upgrade) is always set up again:
# the set-up script then creates it, or says what to do.
# (stdin from /dev/null: with PYTHONINSPECT set, Python reads commands after its own, from a terminal a hang)
# Whether it runs is its exit status: its output was read, which PYTHONIOENCODING=utf-8-sig or cp500 (EBCDIC) makes
# other than "1", so that every `make demo` ran the whole set-up (pip's check of each requirement) again.
ifneq ($(shell "$(call venv_quoted,$(PYTHON))" -c '' </dev/null >/dev/null 2>&1 && echo 1),1)
.PHONY: $(STAMP)
endif

# Where requirements.txt's set-up does not run (its stamp up to date), goals needing both requirements-test.txt and
# requirements-gpu.txt (`make setup-gpu setup-test`, `setup-gpu test`) ran two set-ups again, the second reading a
# PIP_CONFIG_FILE pipe's end: the test stamp's set-up installs requirements-gpu.txt in the same run, and setup-gpu's
# runs after it (order-only), not again.
$(TEST_STAMP): $(STAMP) requirements-test.txt requirements-tensorflow.txt
	@$(if $(filter requirements-test.txt,$(set_up_with)),,bash utils/make_venv.sh $(VENV) requirements-test.txt \
	    $(filter requirements-gpu.txt,$(more_requirements)))
	$(eval set_up_with += requirements-test.txt $(filter requirements-gpu.txt,$(more_requirements)))
	@touch $(TEST_STAMP) 2>/dev/null || true
endif

# The CUDA extension, the CUDA 12 / cuDNN 8 / NCCL wheels, and the Open MPI link NNabla's communicator
# looks for (utils/cuda_libraries.py); needs an NVIDIA driver on the machine.
# Its pip runs as the set-up's does (utils/make_venv.sh): one line where it fails, the packages installed into the
# venv.
setup-gpu: $(STAMP) | $(if $(filter requirements-test.txt,$(more_requirements)),$(TEST_STAMP))
	@$(if $(filter requirements-gpu.txt,$(set_up_with)),,bash utils/make_venv.sh $(VENV) requirements-gpu.txt)
	$(PYTHON) -m utils.cuda_libraries

# Chromium and its driver from Debian's packages, for the web app's browser tests (as root, only when
# missing). A user not root, or a system without apt-get, was apt-get's lines on its lock ("Permission denied") or the
# shell's "apt-get: not found", and make's: now one line saying what to install. As root, apt-get's failures (offline:
# its lines on each index and package it could not fetch; a system whose apt has no such packages) are one line with
# apt-get's first error.
# `make test CHROMIUM=/opt/chromium/chrome` (a Chromium elsewhere, installed by a user not root) passed this check, and
# every test of the web page then failed on /usr/bin/chromium, which they drove whatever CHROMIUM said: make hands it to
# them (tests/test_app.py reads it). A folder (`CHROMIUM=/usr/bin`) passed `test -x`. As root, apt-get's chromium is
# /usr/bin/chromium: a CHROMIUM elsewhere still missing after it is said to be so.
# A CHROMIUM in the environment (`CHROMIUM=/opt/chromium/chrome make test`, as pytest alone reads it) was not make's:
# /usr/bin/chromium was checked and handed to the tests. An empty one (`CHROMIUM=$CHROME`, unset) was "error:  is
# missing", where the tests read it as Debian's.
DEBIAN_CHROMIUM := /usr/bin/chromium
CHROMIUM ?= $(DEBIAN_CHROMIUM)
# `make test CHROMIUM='$HOME/chrome'` (quoted, so the shell left the $ to make), as VENV's above: make read $H as its
# variable, and the tests were handed OME/chrome, another program where one is there; `CHROMIUM='/opt/$(x'` was make's
# "unterminated variable reference", naming no CHROMIUM. Refused as VENV's. (From the environment it is the shell's.)
ifeq ($(origin CHROMIUM),command line)
$(eval $(call dollars_refused,CHROMIUM,path,write the path out$(comma) e.g. $(HOME)/chrome))
endif
# Spaces that begin or end it are dropped, those inside kept: make's strip made `CHROMIUM='/opt/my  chromium/chrome'`
# (two spaces) another Chromium, driven if there. From the environment it is the shell's value, not make's text: a `$x`
# in it was read as make's variable x.
# Tabs and newlines that begin or end it too (a CI setting written as a YAML block, `/opt/chrome\n`), as TEST_WORKERS'
# are: a newline was refused, and a tab was "missing", as root after apt-get installed Debian's chromium.
chromium_given = $(if $(filter environment%,$(origin CHROMIUM)),$(value CHROMIUM),$(CHROMIUM))
# A carriage return, vertical tab or form feed around it as well (the shell's and Python's blanks): a CHROMIUM read from
# a file written with Windows' line ends (`/opt/chrome\r`) was "missing", its line overwritten by the rest from the
# carriage return on.
space := $(subst x,,x x)
tab := $(subst x,,x	x)
ch_blanks := space tab newline carriage_return vertical_tab form_feed
# (each blank marked as /CHROMIUM-name/, so that the value is one word to make's functions; no line is broken before an
# argument of $(call), which would begin with a space)
ch_marks := $(foreach blank,$(ch_blanks),/CHROMIUM-$(blank)/)
ch_rest = $(wordlist 2,9,$1)
ch_marked = $(if $2,$(call ch_marked,$(subst $($(firstword $2)),/CHROMIUM-$(firstword $2)/,$1),$(call ch_rest,$2)),$1)
ch_unmarked = $(if $2,$(call ch_unmarked,$(subst /CHROMIUM-$(firstword $2)/,$($(firstword $2)),$1),$(call \
    ch_rest,$2)),$1)
ch_trim_once = $(if $2,$(call ch_trim_once,$(patsubst %$(firstword $2),%,$(patsubst $(firstword $2)%,%,$1)),$(call \
    ch_rest,$2)),$1)
ch_trimmed = $(if $(filter $(addsuffix %,$(ch_marks)) $(addprefix %,$(ch_marks)),$1),$(call ch_trimmed,$(call \
    ch_trim_once,$1,$(ch_marks))),$1)
chromium_path = $(call ch_unmarked,$(call ch_trimmed,$(call ch_marked,$(chromium_given),$(ch_blanks))),$(ch_blanks))
chromium_named = $(call venv_quoted,$(or $(chromium_path),$(DEBIAN_CHROMIUM)))
# A relative one (`CHROMIUM=chrome`, a link in the repository's folder) passed make's check of that file, but the tests'
# Playwright runs a name without a / from PATH ("spawn chrome ENOENT" for every page test, or another Chromium there),
# and one with a / from the folder the tests' process is in when it starts one: it is checked and handed to the tests
# as a path from /.
# A name without a / on PATH (`CHROMIUM=chromium`, Debian's own) was then checked as a file in the repository's folder:
# "chromium is missing or not a program" (as root after apt-get's update and install), where Playwright, as the shell,
# runs it from PATH. It is looked for on PATH first, as they do (the shell's `command -v`: a path, not a builtin's
# name), then in the repository's folder, and handed to the tests as the path found.
chromium_on_path = $(if $(or $(findstring /,$(chromium_path)),$(findstring $(newline),$(chromium_path)),$(filter \
    -% ~%,$(chromium_path)),$(if $(chromium_path),,none)),,$(call chromium_found,$(shell \
    command -v -- "$(call venv_quoted,$(chromium_path))" 2>/dev/null)))
chromium_found = $(if $(findstring /,$1),$1)
chromium_command = $(or $(chromium_on_path),$(chromium_path),$(DEBIAN_CHROMIUM))
chromium_quoted = "$(if $(filter /%,$(firstword $(chromium_command))),,$(call \
    venv_quoted,$(CURDIR))/)$(call venv_quoted,$(chromium_command))"
# The name as the error lines show it: a carriage return inside it (`/opt/a\rb/chrome`) overwrote the line from there
# on a terminal; a vertical tab or form feed broke it. Shown as \r, \v and \f, as TEST_WORKERS' newline is as \n.
chromium_shown = $(call blanks_shown,$(chromium_named))
# Error lines naming CHROMIUM or VENV are printed by printf's %s (say): /bin/sh's echo (dash's) reads backslashes in
# them, so that `CHROMIUM='/opt/a\cb'` or `clean-venv VENV='x\cy'` cut the line at "error: /opt/a" (the rest, and the
# line end, gone), `\n` broke it in two and `\101` named another file, A.
say := say() { printf '%s\n' "$$*"; };
# A newline in it (`CHROMIUM=$$'/opt/a\nb/chrome'`) cut make's command in two: the shell's "Syntax error: Unterminated
# quoted string". A path with one is refused in one line.
# `CHROMIUM='~/chrome'` (quoted, or from the environment: a CI setting) was a folder ~ in the repository, "missing"
# (as root after apt-get), where ~/chrome was there: neither make's commands nor the tests read ~ as a home folder.
browser:
	@$(if $(findstring $(newline),$(chromium_path)),echo "error: CHROMIUM holds a newline that make's commands" \
	    "cannot take; set it to the path of the Chromium alone and run make again" >&2; exit 2)
	@$(if $(filter ~%,$(chromium_path)),$(say) say "error: CHROMIUM '$(chromium_shown)' begins with ~$(comma) which" \
	    "make's commands and the tests do not read as a home folder; write the path out$(comma) e.g." \
	    "$(HOME)/chrome$(comma) then run make again" >&2; exit 2)
	@$(say) { test -f $(chromium_quoted) && test -x $(chromium_quoted); } || { if [ "$$(id -u)" != 0 ] \
	    || ! command -v apt-get >/dev/null; then \
	    say "error: $(chromium_shown) is missing or not a program, which the web page's tests drive;" \
	    "install Debian's chromium and chromium-driver as root (apt-get install chromium chromium-driver), or set" \
	    "CHROMIUM to the Chromium you have, then run make again" >&2; \
	    exit 2; fi; echo "installing Debian's chromium and chromium-driver with apt-get"; \
	    if ! failed=$$( { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    --no-install-recommends chromium chromium-driver; } 2>&1); then \
	    reason=$$(printf '%s\n' "$$failed" | grep -a '^E: ' | head -n 1); \
	    [ -n "$$reason" ] || reason=$$(printf '%s\n' "$$failed" | grep -av '^[[:space:]]*$$' | tail -n 1); \
	    say "error: apt-get could not install chromium and chromium-driver ($${reason#E: }), which the web" \
	    "page's tests drive; install them, then run make again" >&2; exit 2; fi; \
	    { test -f $(chromium_quoted) && test -x $(chromium_quoted); } || { say "error: apt-get installed Debian's" \
	    "chromium as $(DEBIAN_CHROMIUM), but CHROMIUM is $(chromium_shown), which is missing or not a" \
	    "program; set CHROMIUM to $(DEBIAN_CHROMIUM), then run make again" >&2; exit 2; }; }

# Two pytest workers (pytest-xdist): most tests run one single-threaded process, so CI's two cores halve
# the wall time. TEST_WORKERS=0 runs them in this process, one after another.
TEST_WORKERS ?= 2
# `make test TEST_WORKERS=abc` (or empty) was pytest's usage lines and make's, after the whole set-up: checked first.
# Spaces around it are the shell's to drop, as they were in pytest's command line: `TEST_WORKERS='2 '` was refused.
# A newline around it (a CI setting written as a YAML block, `2\n`) passed that check, but cut the test command in two:
# pytest ran without its folder and flags, and make ran `--dist loadfile ...` as a command whose error a leading -
# ignores, exit code 0 (`\n2`: pytest's usage lines). The command takes the value the check read.
# `make test TEST_WORKERS='$HOME'` (quoted, so the shell left the $ to make), as CHROMIUM's and VENV's: make read $H as
# its variable, refused as "TEST_WORKERS 'OME'"; `'$(x'` was make's "unterminated variable reference", naming no
# TEST_WORKERS; `'$(nproc)'` (the shell's way, make's empty variable) was "TEST_WORKERS ''". Refused as theirs, and a
# value make read otherwise is shown as given and as read. From the environment it is the shell's value, not make's
# text, as CHROMIUM's: a `$x` in it was read as make's variable x.
test_workers_given = $(if $(filter environment%,$(origin TEST_WORKERS)),$(value TEST_WORKERS),$(TEST_WORKERS))
test_workers = $(strip $(test_workers_given))
ifneq ($(filter test,$(MAKECMDGOALS)),)
ifeq ($(origin TEST_WORKERS),command line)
$(eval $(call dollars_refused,TEST_WORKERS,value,set it to a number of pytest workers$(comma) e.g. 2))
endif
ifneq ($(shell workers="$(call venv_quoted,$(test_workers))"; case "$$workers" in (auto|logical) echo ok;; \
      (''|*[!0-9]*) ;; (*) echo ok;; esac),ok)
# (shown as CHROMIUM is: `TEST_WORKERS=$$'a\nb'` was refused in two lines, a carriage return inside printed raw)
# (as given, and as make read it where that is other: `$(nproc)` was said as '')
test_workers_read_otherwise = $(subst $(value TEST_WORKERS),,$(test_workers_given))$(subst \
    $(test_workers_given),,$(value TEST_WORKERS))
$(error TEST_WORKERS '$(call blanks_shown,$(value TEST_WORKERS))'$(if $(test_workers_read_otherwise), (which make \
    read as '$(call blanks_shown,$(test_workers_given))')) is not a number of pytest workers; set it to one (0 runs \
    the tests in make's process, one after another) or to auto, one a core)
endif
endif
test: $(TEST_STAMP) browser
	CHROMIUM=$(chromium_quoted) $(PYTHON) -m pytest -q -n $(test_workers) --dist loadfile --durations=15 tests

# Super-resolve the held-out bikes.mp4 clip with the bundled model into results/demo/.
demo: $(STAMP)
	$(PYTHON) demo.py

# The web page on 127.0.0.1 (address printed; docs/app.md).
app: $(STAMP)
	$(PYTHON) app.py

# Re-create the bundled model from scratch (the recipe in recipes/demo_*.yaml), on both CPU cores.
demo-model: $(STAMP)
	$(PYTHON) -m authors_scripts.dataPrepare --disk_path data/bigbuckbunny_scenes --video "$(BIGBUCKBUNNY)" \
	    --duration 33
	$(MPIRUN) -n 2 $(PYTHON) train.py --cfg recipes/demo_frvsr.yaml
	$(MPIRUN) -n 2 $(PYTHON) train.py --cfg recipes/demo_tecogan.yaml \
	    --pre_trained_frvsr_weights outputs/demo_frvsr/model_param_00001000.h5
	$(MPIRUN) -n 2 $(PYTHON) train.py --cfg recipes/demo_texture.yaml \
	    --pre_trained_frvsr_weights outputs/demo_tecogan/model_param_00000300.h5
	$(MPIRUN) -n 2 $(PYTHON) train.py --cfg recipes/demo_detail.yaml \
	    --pre_trained_frvsr_weights outputs/demo_texture/model_param_00000200.h5
	cp outputs/demo_detail/model_param_00000650.h5 pretrained/tecogan_demo_bigbuckbunny.h5

# An x2 model from the same scenes (recipes/demo_x2_frvsr.yaml), on both CPU cores (docs/x2.md).
demo-model-x2: $(STAMP)
	$(PYTHON) -m authors_scripts.dataPrepare --disk_path data/bigbuckbunny_scenes --video "$(BIGBUCKBUNNY)" \
	    --duration 33
	$(MPIRUN) -n 2 $(PYTHON) train.py --cfg recipes/demo_x2_frvsr.yaml
	cp outputs/demo_x2_frvsr/model_param_00001000.h5 pretrained/frvsr_x2_demo_bigbuckbunny.h5

bench: $(TEST_STAMP)
	$(PYTHON) -m benchmarks.bench_generate
	$(PYTHON) -m benchmarks.bench_precision
	$(PYTHON) -m benchmarks.bench_tiles
	$(PYTHON) -m benchmarks.bench_window_memory
	$(PYTHON) -m benchmarks.bench_lr_grid
	$(PYTHON) -m benchmarks.bench_scene_cuts
	$(PYTHON) -m benchmarks.bench_train
	$(PYTHON) -m benchmarks.bench_loader

# On a GPU machine: set-up, parity tests on cuDNN, both stages, mpirun through NCCL, benchmarks
# (a few minutes).
# Its script's first step is the set-up, `make setup-gpu setup-test` (a make of its own): make's set-up of the test
# stamp before it was a second set-up, which read a PIP_CONFIG_FILE pipe (`PIP_CONFIG_FILE=<(...) make gpu-check`), so
# that the script's installed the CUDA wheels with an empty configuration, from another index, exit code 0 (and
# without a GPU, the minutes of the set-up came before the script's "no GPU"). The script's set-up is the one.
gpu-check:
	GPU_CHECK_VENV="$(call venv_quoted,$(VENV))" bash benchmarks/gpu_check.sh

# Only a virtual environment (a folder with pyvenv.cfg) is removed: `make clean-venv VENV=~/data` deleted any folder.
# Trailing slashes are dropped: `rm -rf .venv/` of a link to a shared venv emptied that venv and kept the link. A name
# ending in /. or /.. is refused: rm skipped it with a line of its own, the venv kept. A venv rm cannot remove (on a
# read-only disk, a name too long) was rm's line for every file in it.
# A venv made in place in a folder of the user's (`python -m venv .` in a project) was removed with the user's files in
# it: only a venv's own entries (venv's, virtualenv's and uv's, pip's share, etc and src, make's stamps) may be there.
# A clean-venv stopped (Ctrl-C) after rm had taken pyvenv.cfg, its first entry, left bin/python and part of lib: the set-up
# called it "a Python installation", clean-venv "not a virtual environment", neither went on. bin goes first (its Python
# then no longer runs), pyvenv.cfg last, so a stopped one is still a venv to clean-venv, and the set-up says to run it.
# A link to nothing (a venv's disk not mounted) was said to hold "files of its own (such as 'link')": ls lists the link.
# A venv's pip.conf (pip's configuration for that venv alone, its "site" file) was said to be a file of the user's.
VENV_OWN_FOLDERS := bin|include|lib|lib32|lib64|share|etc|man|src
VENV_OWN_FILES := pyvenv\.cfg|pip\.conf|\.installed|\.installed-test|\.gitignore|CACHEDIR\.TAG|\.lock
# A newline in the name (`VENV=$$'v\n'`, the one goal that takes a name make splits) cut the command in two: the shell's
# "Syntax error: Unterminated quoted string" and make's line. Refused in one line, as CHROMIUM's.
# A carriage return, vertical tab or form feed in it (`VENV=$$'x\ry'`) was printed raw, the line overwritten from there
# on a terminal: shown as \r, \v and \f, as CHROMIUM's and the refused VENV's are.
clean-venv:
	@$(if $(findstring $(newline),$(VENV)),echo "error: VENV holds a newline that make's commands cannot take;" \
	    "nothing removed: remove that folder yourself" >&2; exit 2)
	@$(say) venv="$(call venv_quoted,$(VENV))"; shown="$(call venv_quoted,$(call blanks_shown,$(VENV)))"; \
	while [ "$${venv%/}" != "$$venv" ] && [ -n "$${venv%/}" ]; do venv=$${venv%/}; shown=$${shown%/}; done; \
	case "$$venv" in .|..|*/.|*/..) say "error: '$$shown' ends in . or .., which rm does not remove; name the" \
	    "virtual environment's folder itself" >&2; exit 2;; esac; \
	if [ -L "$$venv" ] && [ ! -e "$$venv" ]; then say "error: '$$shown' is a link to $$(readlink -- "$$venv")," \
	    "which leads to no folder; nothing removed: remove the link yourself if that is what you meant" >&2; exit 2; fi; \
	if [ -e "$$venv" ] && [ ! -f "$$venv/pyvenv.cfg" ]; then say "error: '$$shown' is not a virtual" \
	    "environment (it has no pyvenv.cfg); nothing removed: remove it yourself if that is what you meant" >&2; \
	    exit 2; fi; \
	others=$$(ls -A -- "$$venv" 2>/dev/null | grep -avxE -e "$(VENV_OWN_FOLDERS)" -e "$(VENV_OWN_FILES)" | head -n 1); \
	if [ -n "$$others" ]; then say "error: '$$shown' holds files of its own beside the virtual environment's (such" \
	    "as '$$others'); nothing removed: move them out first, or remove it yourself" >&2; exit 2; fi; \
	printf 'rm -rf "%s"\n' "$$shown"; \
	if ! failed=$$( { [ -L "$$venv" ] || [ ! -d "$$venv" ] || { rm -rf -- "$$venv/bin" && for entry in "$$venv"/* \
	    "$$venv"/.[!.]* "$$venv"/..?*; do [ "$$entry" = "$$venv/pyvenv.cfg" ] || rm -rf -- "$$entry" || exit; done; } \
	    && rm -rf -- "$$venv"; } 2>&1); then failed=$$(printf '%s\n' "$$failed" | head -n 1); \
	    say "error: rm could not remove all of '$$shown' ($${failed##*: }); what it could not is left" >&2; exit 2; fi
