package tahqiq

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one CLI exit code and one HTTP status, in one
// place each (internal/cli and internal/httpapi).
const (
	EINVALID      = "invalid"       // bad input from the user
	ENOTFOUND     = "not_found"     // a named thing does not exist
	ECONFLICT     = "conflict"      // the thing exists already or changed under us
	EFORBIDDEN    = "forbidden"     // the actor may not do this
	EUNAUTHORIZED = "unauthorized"  // no or bad credentials
	EVERIFY       = "verify_failed" // an integrity check failed
	EINTERNAL     = "internal"      // a bug or an I/O or store failure
)

// Error is the domain error. Code is machine-readable, Message is for the
// user, Op names the operation, Err is the cause (kept for operators).
type Error struct {
	Code    string
	Op      string
	Message string
	Err     error

	wrapped error // what a %w of Errorf wrapped (already in Message)
}

func (e *Error) Error() string {
	var s string
	if e.Op != "" {
		s = e.Op + ": "
	}
	switch {
	case e.Message != "" && e.Err != nil:
		return s + e.Message + ": " + e.Err.Error()
	case e.Message != "":
		return s + e.Message
	case e.Err != nil:
		return s + e.Err.Error()
	}
	return s + e.Code
}

func (e *Error) Unwrap() error {
	if e.Err != nil {
		return e.Err
	}
	return e.wrapped
}

// Errorf returns an *Error with the given code and a formatted message.
// As with fmt.Errorf, a %w verb wraps its operand: the message says it,
// and errors.Is and errors.As find it.
func Errorf(code, format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	return &Error{Code: code, Message: err.Error(), wrapped: errors.Unwrap(err)}
}

// WrapError returns an *Error with code and op that wraps err.
func WrapError(code, op string, err error) *Error {
	return &Error{Code: code, Op: op, Err: err}
}

// ErrorCode returns the code of the first *Error in err's chain, or
// EINTERNAL for any other non-nil error, or "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err: the message of the
// first *Error in its chain, or a generic text for internal errors.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	return "internal error"
}
