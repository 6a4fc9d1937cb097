" triage policies: every *.rules file.
autocmd BufRead,BufNewFile *.rules setfiletype triage
