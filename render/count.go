package render

import "fmt"

// Count is n and the noun in the number it takes: "1 change", "12
// changes". Every count said to people goes through it.
func Count(n int, one, many string) string {
	return fmt.Sprintf("%d %s", n, Plural(n, one, many))
}

// Plural is one for 1 and many otherwise: the word alone, where the
// number stands elsewhere in the sentence.
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
