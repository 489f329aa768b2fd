package dind

import (
	"bytes"
	"unicode/utf8"
)

// text is the original template with an index of its lines, so that the
// parser's line/column positions can be turned into byte offsets and the
// indentation around a node can be read. Lines end where yaml.v3 counts a
// line break: LF, CRLF, a lone CR, NEL, LS or PS.
type text struct {
	src   []byte
	lines []int // byte offset of the start of each line; lines[0] skips a BOM
	ends  []int // byte offset of each line's break (len(src) for a last line without one)
	nl    string
	bom   bool
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

func newText(src []byte) *text {
	t := &text{src: src, nl: "\n"}
	start := 0
	if bytes.HasPrefix(src, utf8BOM) {
		t.bom = true
		start = len(utf8BOM)
	}
	t.lines = make([]int, 1, bytes.Count(src, []byte{'\n'})+1)
	t.ends = make([]int, 0, cap(t.lines))
	t.lines[0] = start
	// bytes.IndexAny with non-ASCII characters decodes the text rune by
	// rune; most files break lines with LF alone, and IndexByte finds those
	// many times faster. The bytes of NEL, LS and PS cannot occur inside
	// another character, so searching for them as bytes finds the same.
	if !bytes.Contains(src, []byte{'\r'}) && !bytes.Contains(src, []byte("\u0085")) &&
		!bytes.Contains(src, []byte("\u2028")) && !bytes.Contains(src, []byte("\u2029")) {
		for i := start; i < len(src); {
			j := bytes.IndexByte(src[i:], '\n')
			if j < 0 {
				break
			}
			t.ends = append(t.ends, i+j)
			i += j + 1
			t.lines = append(t.lines, i)
		}
		t.ends = append(t.ends, len(src))
		return t
	}
	for i := start; i < len(src); {
		j := bytes.IndexAny(src[i:], "\n\r\u0085\u2028\u2029")
		if j < 0 {
			break
		}
		at := i + j
		size := lineBreakSize(src[at:])
		if size == 0 { // a byte of some other character
			i = at + 1
			continue
		}
		if len(t.ends) == 0 {
			t.nl = string(src[at : at+size])
		}
		t.ends = append(t.ends, at)
		i = at + size
		t.lines = append(t.lines, i)
	}
	t.ends = append(t.ends, len(src))
	return t
}

// lineBreakSize is the length of the line break at the start of b, or 0.
func lineBreakSize(b []byte) int {
	switch {
	case bytes.HasPrefix(b, []byte("\r\n")):
		return 2
	case b[0] == '\n' || b[0] == '\r':
		return 1
	case bytes.HasPrefix(b, []byte("\u0085")):
		return 2
	case bytes.HasPrefix(b, []byte("\u2028")), bytes.HasPrefix(b, []byte("\u2029")):
		return 3
	}
	return 0
}

// newline is the file's own line ending.
func (t *text) newline() string {
	if t.nl != "\n" && t.nl != "\r\n" && t.nl != "\r" {
		return "\n" // a file whose first break is LS or PS: write LF
	}
	return t.nl
}

// breakNear is the line break of the line holding off, or of the line
// before when off starts a line or its line has none: new lines written at
// off end like their neighbours, whatever the rest of the file uses.
func (t *text) breakNear(off int) string {
	line := t.lineOf(off)
	if off == t.lineStart(line) && line > 1 || line == len(t.lines) {
		line--
	}
	if line < 1 || line >= len(t.lines) {
		return t.newline()
	}
	switch b := string(t.src[t.ends[line-1]:t.lines[line]]); b {
	case "\n", "\r\n", "\r":
		return b
	}
	return t.newline()
}

// lineCount is the number of lines, counting a last line without a newline.
func (t *text) lineCount() int { return len(t.lines) }

// lineStart is the offset of 1-based line n.
func (t *text) lineStart(n int) int {
	if n < 1 {
		return t.lines[0]
	}
	if n > len(t.lines) {
		return len(t.src)
	}
	return t.lines[n-1]
}

// lineBody is line n without its line ending.
func (t *text) lineBody(n int) []byte {
	if n < 1 || n > len(t.lines) {
		return t.src[len(t.src):]
	}
	return t.src[t.lines[n-1]:t.ends[n-1]]
}

// nextLineStart is the offset of the line after the one holding off; the
// end of the text when off is on the last line.
func (t *text) nextLineStart(off int) int {
	if line := t.lineOf(off); line < len(t.lines) {
		return t.lines[line]
	}
	return len(t.src)
}

// lineOf is the 1-based line holding offset off.
func (t *text) lineOf(off int) int {
	lo, hi := 0, len(t.lines)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if t.lines[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo + 1
}

// offset turns the parser's 1-based line and column (counted in characters)
// into a byte offset.
func (t *text) offset(line, col int) int {
	start := t.lineStart(line)
	body := t.lineBody(line)
	i := 0
	for c := 1; c < col && i < len(body); c++ {
		if body[i] < utf8.RuneSelf {
			i++
			continue
		}
		_, size := utf8.DecodeRune(body[i:])
		i += size
	}
	return start + i
}

// indent is the number of leading spaces of line n.
func (t *text) indent(n int) int {
	body := t.lineBody(n)
	i := 0
	for i < len(body) && body[i] == ' ' {
		i++
	}
	return i
}

// lineKind classifies line n for indentation scans.
type lineKind int

const (
	lineBlank lineKind = iota
	lineComment
	lineContent
	lineDocMarker // "---" or "..." at column 0
)

func (t *text) kind(n int) lineKind {
	body := t.lineBody(n)
	i := 0
	for i < len(body) && (body[i] == ' ' || body[i] == '\t') {
		i++
	}
	switch {
	case i == len(body):
		return lineBlank
	case body[i] == '#':
		return lineComment
	case i == 0 && (isMarker(body, "---") || isMarker(body, "...")):
		return lineDocMarker
	}
	return lineContent
}

func isMarker(body []byte, m string) bool {
	return bytes.HasPrefix(body, []byte(m)) && (len(body) == 3 || body[3] == ' ' || body[3] == '\t')
}

// startsWithDash reports whether line n's first non-space character is a
// block sequence entry indicator.
func (t *text) startsWithDash(n int) bool {
	body := t.lineBody(n)
	i := t.indent(n)
	return i < len(body) && body[i] == '-' && (i+1 == len(body) || body[i+1] == ' ')
}

// leading is the white space that starts line n.
func (t *text) leading(n int) string {
	body := t.lineBody(n)
	i := 0
	for i < len(body) && (body[i] == ' ' || body[i] == '\t') {
		i++
	}
	return string(body[:i])
}
