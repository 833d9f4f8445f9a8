package train

import "strings"

// vmMarker ends the text Gorgonia's tape machine puts before the error of
// an operation ("PC 80. Failed to execute instruction Loss#11 [CPU79] ...
// Failed to carry op.Do(): ").
const vmMarker = "op.Do(): "

// vmError is the cause of a failed Gorgonia machine run with the machine's
// own text removed; it still unwraps to the full error.
type vmError struct {
	msg string
	err error
}

func (e *vmError) Error() string { return e.msg }
func (e *vmError) Unwrap() error { return e.err }

// vmCause returns err reduced to what follows the last "op.Do(): " of its
// text: the error of the operation itself (a loss, a shape) instead of the
// program counter, instruction and node of the machine. Other errors are
// returned unchanged.
func vmCause(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	i := strings.LastIndex(msg, vmMarker)
	if i < 0 || i+len(vmMarker) == len(msg) {
		return err
	}
	return &vmError{msg: msg[i+len(vmMarker):], err: err}
}
