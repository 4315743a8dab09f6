package tahqiq

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// A ParamError is a parameter a request cannot take: a coordination run's
// window, an import's format or column map. It names the parameter, and
// any other it mentions, by its neutral name, the JSON field of the API's
// requests and of the manifests (window_kind, fast_window, map), written
// {name} in Text; each interface phrases it its own way, in one place
// each: the API says the field name (Error), the CLI its flag
// (PhraseError with --window-kind). It is an EINVALID *Error
// (errors.As) whose message names fields.
type ParamError struct {
	Param string // the parameter at fault
	Text  string // the message, naming parameters as {name}
}

// ParamErrorf returns a *ParamError about param; format names parameters
// as {name}.
func ParamErrorf(param, format string, args ...any) error {
	return &ParamError{Param: param, Text: fmt.Sprintf(format, args...)}
}

var paramRE = regexp.MustCompile(`\{([a-z_]+)\}`)

// Phrase returns the message with every parameter named by name.
func (e *ParamError) Phrase(name func(param string) string) string {
	return paramRE.ReplaceAllStringFunc(e.Text, func(m string) string { return name(m[1 : len(m)-1]) })
}

// Error says the message with the parameters' neutral names (the API's
// fields).
func (e *ParamError) Error() string { return e.Phrase(func(p string) string { return p }) }

// As makes a ParamError an EINVALID *Error, with the message naming
// fields.
func (e *ParamError) As(target any) bool {
	if t, ok := target.(**Error); ok {
		*t = &Error{Code: EINVALID, Message: e.Error()}
		return true
	}
	return false
}

// PhraseError returns err's message with the parameters that a
// *ParamError in it names said by name (the CLI: as its flags), the
// context that wraps it kept.
func PhraseError(err error, name func(param string) string) string {
	msg := err.Error()
	var pe *ParamError
	if errors.As(err, &pe) {
		msg = strings.Replace(msg, pe.Error(), pe.Phrase(name), 1)
	}
	return msg
}
