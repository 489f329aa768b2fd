package dind

import (
	"bytes"
	"slices"
	"testing"
	"unicode/utf8"
)

// referenceLines splits src where yaml.v3 counts a line break, rune by
// rune: the slow, obvious reading newText must agree with.
func referenceLines(src []byte) (lines, ends []int, nl string) {
	start := 0
	if bytes.HasPrefix(src, utf8BOM) {
		start = len(utf8BOM)
	}
	lines, nl = []int{start}, "\n"
	for i := start; i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		brk := 0
		switch {
		case r == '\r' && i+1 < len(src) && src[i+1] == '\n':
			brk = 2
		case r == '\n' || r == '\r' || r == '\u0085' || r == '\u2028' || r == '\u2029':
			brk = size
		}
		if brk == 0 {
			i += size
			continue
		}
		if len(ends) == 0 {
			nl = string(src[i : i+brk])
		}
		ends = append(ends, i)
		i += brk
		lines = append(lines, i)
	}
	return lines, append(ends, len(src)), nl
}

func TestNewTextLineIndex(t *testing.T) {
	for _, src := range []string{
		"",
		"a",
		"a\n",
		"\n\n",
		"a: 1\nb: 2",
		"a: 1\nb: 2\n",
		"\xEF\xBB\xBFa: 1\nb: 2\n",
		"a: 1\r\nb: 2\r\n",
		"a: 1\rb: 2\r",
		"a: 1\r\n\nb: 2\r",
		"a: x\u0085b: 2\n",
		"a: x\u2028b: 2\u2029c: 3",
		"a: \"dash \u2014 and \u00e9\"\nb: 2\n", // other characters with the same lead bytes
		"a: \xE2\x80\nb: \xC2\n",                // truncated characters
		"a: \xE2\u2028b\n",
	} {
		got := newText([]byte(src))
		lines, ends, nl := referenceLines([]byte(src))
		if !slices.Equal(got.lines, lines) || !slices.Equal(got.ends, ends) || got.nl != nl {
			t.Errorf("newText(%q): lines %v ends %v nl %q; want %v %v %q", src, got.lines, got.ends, got.nl, lines, ends, nl)
		}
	}
}
