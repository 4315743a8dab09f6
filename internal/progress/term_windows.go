//go:build windows

package progress

import "golang.org/x/sys/windows"

// terminal asks for the console's mode: only a console answers.
func terminal(fd uintptr) (int, bool) {
	h := windows.Handle(fd)
	var mode uint32
	if windows.GetConsoleMode(h, &mode) != nil {
		return 0, false
	}
	var info windows.ConsoleScreenBufferInfo
	if windows.GetConsoleScreenBufferInfo(h, &info) != nil {
		return 0, true
	}
	return int(info.Window.Right-info.Window.Left) + 1, true
}
