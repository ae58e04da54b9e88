package dmp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/dnsmesh/dmp/internal/admin"
	"github.com/dnsmesh/dmp/internal/register"
	"github.com/dnsmesh/dmp/internal/tsigauth"
)

// start readies the UPDATE path and opens the registration and admin
// listeners once the store is open.
func (ws *writeSide) start(d *Dmp) error {
	ws.init()
	ws.st = d.Store
	ws.verifier = &tsigauth.Verifier{Keys: d.Store, MaxFudge: ws.fudge}

	if ws.reg != nil {
		cfg, err := regConfig(ws.reg.cfg, d)
		if err != nil {
			return err
		}
		if err := ws.listen("registration", ws.reg.addr, register.New(cfg, d.Store)); err != nil {
			return err
		}
	}
	if ws.admin != nil {
		token, err := readToken(ws.admin.tokenFile)
		if err != nil {
			ws.stop()
			return err
		}
		h := admin.New(token, d.Store, d.Zones, d.Now, nil)
		if err := ws.listen("admin", ws.admin.addr, h); err != nil {
			ws.stop()
			return err
		}
	}
	return nil
}

// regConfig completes the registration config with the served zones: keys
// go under the zone of the subject's domain when it is served, else under
// registration_zone, by default the first served zone.
func regConfig(cfg register.Config, d *Dmp) (register.Config, error) {
	cfg.Zones = d.Zones
	cfg.Now = d.Now
	if cfg.Zone == "" {
		cfg.Zone = d.Zones[0]
		return cfg, nil
	}
	if !slices.Contains(d.Zones, cfg.Zone) {
		return cfg, fmt.Errorf("registration_zone %s is not served here", cfg.Zone)
	}
	return cfg, nil
}

// readToken reads the operator token: the file's first line, at least 16
// bytes.
func readToken(path string) (string, error) {
	b, err := os.ReadFile(filepath.Clean(path))
	if err != nil {
		return "", fmt.Errorf("admin token: %w", err)
	}
	token, _, _ := strings.Cut(string(b), "\n")
	token = strings.TrimSpace(token)
	if len(token) < 16 {
		return "", fmt.Errorf("admin token in %s: want at least 16 characters", path)
	}
	return token, nil
}

// listen serves h on addr in the background, through the listener
// registry so a reload hands the address over (write_listen.go).
func (ws *writeSide) listen(what, addr string, h http.Handler) error {
	if err := listeners.claim(what, addr, ws, h); err != nil {
		return err
	}
	ws.addrs = append(ws.addrs, addr)
	return nil
}

// stop gives up the listeners start claimed; an address no other
// instance holds is closed.
func (ws *writeSide) stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var errs []error
	for _, addr := range ws.addrs {
		errs = append(errs, listeners.release(ctx, addr, ws))
	}
	ws.addrs = nil
	return errors.Join(errs...)
}
