package render

import "fmt"

// Count is n and the noun in the number it takes: "1 change", "12
// changes". Every count said to people goes through it.
func Count(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
