" triage policies: every *.rules file. Vim's own detection calls *.rules "hog" (Snort
" rules), so the filetype is set unconditionally rather than with :setfiletype.
autocmd BufRead,BufNewFile *.rules set filetype=triage
