package dmp

import (
	"io"
	"net/http"
	"testing"
)

func textHandler(s string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, s) })
}

// TestListenerHandover walks the registry through a reload, a failed
// reload and the final shutdown of one address.
func TestListenerHandover(t *testing.T) {
	addr := freeLoopback(t)
	old, next := &writeSide{}, &writeSide{}
	get := func(want string) {
		t.Helper()
		resp, err := http.Get("http://" + addr)
		if want == "" {
			if err == nil {
				resp.Body.Close()
				t.Fatal("listener still serves, want closed")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if b, _ := io.ReadAll(resp.Body); string(b) != want {
			t.Fatalf("served by %q, want %q", b, want)
		}
	}

	if err := old.listen("test", addr, textHandler("old")); err != nil {
		t.Fatal(err)
	}
	get("old")
	if err := next.listen("test", addr, textHandler("new")); err != nil {
		t.Fatalf("second instance on the same address: %v", err)
	}
	get("new")
	listeners.reclaim(old) // the reload failed
	get("old")
	if err := next.stop(); err != nil {
		t.Fatal(err)
	}
	get("old")
	if err := old.stop(); err != nil {
		t.Fatal(err)
	}
	get("")
}
