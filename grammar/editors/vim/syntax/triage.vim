" Vim syntax file
" Language:   triage rule language (.rules policies, see grammar/language.md)
" Install:    copy grammar/editors/vim/{syntax,ftdetect} into ~/.vim/ (or a plugin dir)

if exists('b:current_syntax')
  finish
endif

" Identifiers are case-sensitive: `L2` and `l2` are different names.
syntax case match

syntax match triageComment /#.*$/ contains=triageTodo,@Spell
syntax keyword triageTodo TODO FIXME XXX NOTE contained

" Reserved words: never usable as a name.
syntax keyword triageDeclaration field output let test
syntax keyword triageKeyword if given expect
syntax keyword triageOperatorWord and or not in has any all is missing present
syntax keyword triageOperatorWord contains starts_with ends_with
syntax keyword triageBoolean true false

" Type and declaration words are keywords only inside a declaration: after `field NAME:`
" or `output NAME:` up to the end of the line. Elsewhere (`field tags: tags`, a rule for an
" output named `first`) they are ordinary names.
syntax keyword triageType bool int number duration string tags enum flag contained
syntax keyword triageModifier required default complete contained
syntax keyword triageHitPolicy first max min unique collect sum contained
" Inside a declaration a comment must leave the line end to the region (excludenl), or
" the declaration would run on into the next line.
syntax match triageDeclComment excludenl /#.*$/ contained contains=triageTodo,@Spell
syntax region triageDeclTail matchgroup=triageDelimiter start=/\%(\<\%(field\|output\)\s\+\h\w*\s*\)\@<=:/ end=/$/
      \ contains=triageType,triageModifier,triageHitPolicy,triageEnumBody,triageDeclComment,triageString,triageNumber,triageDuration,triageBoolean

" Enum members between braces, in declaration order.
syntax region triageEnumBody matchgroup=triageDelimiter start=/{/ end=/}/ contained contains=triageComment

" Literals. A duration is one or more <digits><unit> parts with units in the order
" w d h m s (`1h30m`, `-15m`); it is defined after numbers so that it wins on `90m`.
" (`\w\@1<!` rather than `\<`: a word boundary after an optional `-` never matches in
" a syntax pattern.)
syntax match triageNumber /\w\@1<!-\=\d\+\%(\.\d\+\)\=\>/
syntax match triageDuration /\w\@1<!-\=\%(\d\+[wdhms]\)\@=\%(\d\+w\)\=\%(\d\+d\)\=\%(\d\+h\)\=\%(\d\+m\)\=\%(\d\+s\)\=\>/

syntax region triageString start=/"/ skip=/\\\\\|\\"/ end=/"/ oneline contains=triageEscape
syntax match triageEscape /\\\%(["\\nt]\|u{\x\+}\)/ contained

" Punctuation, then operators: a later match wins at the same column, so `==` is an
" operator rather than two `=` delimiters.
syntax match triageDelimiter /[,=\[\]()]/
syntax match triageOperator /==\|!=\|<=\|>=\|<\|>\|->/

" A label before a rule: `p1_high: priority if ...`.
syntax match triageLabel /^\s*\zs\h\w*\ze\s*:\s*\h\w*\s\+if\>/

" The name of a test.
syntax match triageTestName /\%(\<test\s\+\)\@<="\%(\\.\|[^"\\]\)*"/

highlight default link triageComment      Comment
highlight default link triageDeclComment  Comment
highlight default link triageTodo         Todo
highlight default link triageDeclaration  Statement
highlight default link triageKeyword      Keyword
highlight default link triageOperatorWord Operator
highlight default link triageOperator     Operator
highlight default link triageDelimiter    Delimiter
highlight default link triageBoolean      Boolean
highlight default link triageType         Type
highlight default link triageModifier     StorageClass
highlight default link triageHitPolicy    StorageClass
highlight default link triageEnumBody     Constant
highlight default link triageNumber       Number
highlight default link triageDuration     Number
highlight default link triageString       String
highlight default link triageEscape       SpecialChar
highlight default link triageLabel        Label
highlight default link triageTestName     Title

let b:current_syntax = 'triage'
