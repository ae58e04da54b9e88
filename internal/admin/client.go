package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// StatusError is a request the admin endpoint answered with a failure
// status. A http.StatusConflict carries a Code: CodeZoneWide for a
// zone-wide scope sent without force, CodeKeyExists for a name that has a
// key, sent without replace.
type StatusError struct {
	Method, Path string
	Status       int
	Reason       string // the endpoint's "error" text
	Code         string // the endpoint's "code", on a 409
}

// Error implements the error interface.
func (e *StatusError) Error() string {
	return fmt.Sprintf("admin %s %s: HTTP %d: %s", e.Method, e.Path, e.Status, e.Reason)
}

// Client talks to a node's admin endpoint.
type Client struct {
	URL   string // e.g. http://127.0.0.1:8054
	Token string
	HTTP  *http.Client // nil: http.DefaultClient
}

// List returns every key, without secrets.
func (c *Client) List(ctx context.Context) ([]KeyInfo, error) {
	var out []KeyInfo
	return out, c.do(ctx, http.MethodGet, "/v1/keys", nil, &out)
}

// Add adds a key and returns it with its secret. A name that has a key
// is a *StatusError with CodeKeyExists unless nk.Replace is set.
func (c *Client) Add(ctx context.Context, nk NewKey) (KeyInfo, error) {
	var out KeyInfo
	return out, c.do(ctx, http.MethodPost, "/v1/keys", nk, &out)
}

// Revoke deletes the key called name.
func (c *Client) Revoke(ctx context.Context, name string) error {
	return c.do(ctx, http.MethodDelete, "/v1/keys/"+url.PathEscape(name), nil, nil)
}

func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("admin %s: %w", path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.URL, "/")+path, body)
	if err != nil {
		return fmt.Errorf("admin %s: %w", path, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Content-Type", "application/json")
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("admin %s: %w", path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error string `json:"error"`
			Code  string `json:"code"`
		}
		json.Unmarshal(raw, &e) // a body that is not JSON leaves the reason empty
		return &StatusError{Method: method, Path: path, Status: resp.StatusCode,
			Reason: e.Error, Code: e.Code}
	}
	if out == nil || len(raw) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("admin %s: reply is not JSON: %w", path, err)
	}
	return nil
}
