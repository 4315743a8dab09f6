package jsonstream_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq/internal/ingest/jsonstream"
)

func walk(t *testing.T, in string, opt jsonstream.Options) (got []string, err error) {
	t.Helper()
	err = jsonstream.Each(strings.NewReader(in), opt, func(v jsonstream.Value) error {
		s := fmt.Sprintf("L%d@%d%s %s", v.Line, v.Offset, v.Pointer, v.Raw)
		if v.Err == nil {
			var x any
			if err := json.Unmarshal(v.Raw, &x); err != nil {
				v.Err = jsonstream.Explain(v.Raw, err)
			}
		}
		if v.Err != nil {
			s += " ERR " + v.Err.Error()
		}
		got = append(got, s)
		return nil
	})
	return got, err
}

func TestEach(t *testing.T) {
	tests := []struct {
		name string
		in   string
		opt  jsonstream.Options
		want []string
		err  string
	}{
		{"json lines with a truncated last line", "{\"a\":1}\n\n{\"b\":2}\r\n{\"c\":", jsonstream.Options{},
			[]string{`L1@0 {"a":1}`, `L3@9 {"b":2}`, `L4@18 {"c": ERR invalid JSON: the record ends early at byte 5 (truncated?)`}, ""},
		{"invalid utf-8 line", "{\"a\":\"\xff\"}\n{\"b\":1}\n", jsonstream.Options{},
			[]string{"L1@0 {\"a\":\"\xff\"} ERR invalid UTF-8", `L2@10 {"b":1}`}, ""},
		{"top-level array", "[\n {\"a\": 1},\n {\"b\": [2]}\n]\n", jsonstream.Options{},
			[]string{`L2@3/0 {"a": 1}`, `L3@14/1 {"b": [2]}`}, ""},
		{"pretty single object", "{\n  \"id_str\": \"1\",\n  \"x\": [1, 2]\n}\n", jsonstream.Options{},
			[]string{"L1@0 {\n  \"id_str\": \"1\",\n  \"x\": [1, 2]\n}"}, ""},
		{"envelope", `{"search_metadata": {"n": 2}, "statuses": [{"id": 1}, {"id": 2}]}`, jsonstream.Options{Descend: []string{"statuses"}},
			[]string{`L1@43/statuses/0 {"id": 1}`, `L1@54/statuses/1 {"id": 2}`}, ""},
		{"object without the descend key is one value", "{\n\"id\": 1}", jsonstream.Options{Descend: []string{"statuses"}},
			[]string{"L1@0 {\n\"id\": 1}"}, ""},
		{"truncated array", "[{\"a\": 1},\n{\"b\": ", jsonstream.Options{}, []string{`L1@1/0 {"a": 1}`}, "unexpected end of input"},
		{"empty", "", jsonstream.Options{}, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := walk(t, tc.in, tc.opt)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("values:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Errorf("err = %v, want %q", err, tc.err)
			}
			var se *jsonstream.StructuralError
			if tc.err != "" && !errors.As(err, &se) {
				t.Errorf("err %T is not a StructuralError", err)
			}
		})
	}
}

func FuzzEach(f *testing.F) {
	for _, s := range []string{"{\"a\":1}\n{\"b\":", "[{\"a\":1},{\"b\":2}]", `{"statuses":[{"id":1}]}`, "{\n}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		jsonstream.Each(strings.NewReader(in), jsonstream.Options{Descend: []string{"statuses"}}, func(v jsonstream.Value) error {
			if v.Offset < 0 || v.Offset+int64(len(v.Raw)) > int64(len(in)) {
				t.Fatalf("value out of range: offset %d len %d input %d", v.Offset, len(v.Raw), len(in))
			}
			if v.Err == nil && in[v.Offset:v.Offset+int64(len(v.Raw))] != string(v.Raw) {
				t.Fatalf("raw bytes %q differ from the input at %d", v.Raw, v.Offset)
			}
			return nil
		})
	})
}
