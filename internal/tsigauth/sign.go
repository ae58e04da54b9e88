package tsigauth

import (
	"crypto/hmac"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// computeMAC returns the MAC of RFC 8945 §4.3: the request MAC (for a
// reply), the message without TSIG, then the TSIG variables of t, cut to
// the size a truncated algorithm name states.
func computeMAC(alg string, secret, requestMAC, msg []byte, t *dns.TSIG) ([]byte, error) {
	a, ok := algorithmFor(alg)
	if !ok {
		return nil, fmt.Errorf("tsig: unsupported algorithm %q", alg)
	}
	vars, err := variables(t)
	if err != nil {
		return nil, err
	}

	h := hmac.New(a.newHash, secret)
	if requestMAC != nil {
		var l [2]byte
		binary.BigEndian.PutUint16(l[:], uint16(len(requestMAC)))
		h.Write(l[:])
		h.Write(requestMAC)
	}
	h.Write(msg)
	h.Write(vars)
	return h.Sum(nil)[:a.macSize()], nil
}

// variables encodes the TSIG variables of RFC 8945 §4.3.3: key name and
// algorithm in canonical (lower-case, uncompressed) wire form.
func variables(t *dns.TSIG) ([]byte, error) {
	other, err := hex.DecodeString(t.OtherData)
	if err != nil {
		return nil, fmt.Errorf("tsig other data: %w", err)
	}
	buf := make([]byte, 0, 2*256+16+len(other))
	if buf, err = appendName(buf, t.Hdr.Name); err != nil {
		return nil, err
	}
	buf = binary.BigEndian.AppendUint16(buf, dns.ClassANY)
	buf = binary.BigEndian.AppendUint32(buf, 0)
	if buf, err = appendName(buf, t.Algorithm); err != nil {
		return nil, err
	}
	buf = binary.BigEndian.AppendUint16(buf, uint16(t.TimeSigned>>32))
	buf = binary.BigEndian.AppendUint32(buf, uint32(t.TimeSigned))
	buf = binary.BigEndian.AppendUint16(buf, t.Fudge)
	buf = binary.BigEndian.AppendUint16(buf, t.Error)
	buf = binary.BigEndian.AppendUint16(buf, uint16(len(other)))
	return append(buf, other...), nil
}

func appendName(buf []byte, name string) ([]byte, error) {
	var wire [256]byte
	n, err := dns.PackDomainName(dns.CanonicalName(name), wire[:], 0, nil, false)
	if err != nil {
		return nil, fmt.Errorf("tsig name %q: %w", name, err)
	}
	return append(buf, wire[:n]...), nil
}

// Sign packs reply and appends the TSIG record answering the request s
// describes (RFC 8945 §5.3): signed with the request MAC chained in when
// the key verified (also for BADTIME, which carries the server time in
// Other Data), unsigned with an empty MAC for BADKEY and BADSIG.
func Sign(reply *dns.Msg, s *Signed, now time.Time) ([]byte, error) {
	reply.Compress = true
	body, err := reply.Pack()
	if err != nil {
		return nil, fmt.Errorf("tsig: pack reply: %w", err)
	}
	t := replyTSIG(reply.Id, s, now)

	if s.Error != dns.RcodeBadKey && s.Error != dns.RcodeBadSig {
		if err := signInto(t, s, body); err != nil {
			return nil, err
		}
	}
	return appendTSIG(body, t)
}

// ReplyLen is how many bytes the TSIG record Sign appends to a reply to
// the request s describes takes, so that a caller can leave room for it
// when fitting the reply to the client's buffer.
func ReplyLen(s *Signed) int {
	t := replyTSIG(0, s, time.Time{})
	if s.Error != dns.RcodeBadKey && s.Error != dns.RcodeBadSig {
		if a, ok := algorithmFor(t.Algorithm); ok {
			t.MACSize = uint16(a.macSize())
			t.MAC = strings.Repeat("00", a.macSize())
		}
	}
	return dns.Len(t)
}

// replyTSIG builds the reply's TSIG record before its MAC is set.
func replyTSIG(id uint16, s *Signed, now time.Time) *dns.TSIG {
	t := &dns.TSIG{
		Hdr:        dns.RR_Header{Name: s.TSIG.Hdr.Name, Rrtype: dns.TypeTSIG, Class: dns.ClassANY},
		Algorithm:  s.TSIG.Algorithm,
		TimeSigned: uint64(now.Unix()),
		Fudge:      s.TSIG.Fudge,
		OrigId:     id,
		Error:      s.Error,
	}
	switch s.Error {
	case dns.RcodeBadTime:
		// The client checks the reply against its own clock; our time
		// goes in Other Data so it can report the skew.
		t.TimeSigned = s.TSIG.TimeSigned
		var other [6]byte
		binary.BigEndian.PutUint16(other[:2], uint16(uint64(now.Unix())>>32))
		binary.BigEndian.PutUint32(other[2:], uint32(now.Unix()))
		t.OtherLen = 6
		t.OtherData = hex.EncodeToString(other[:])
	case dns.RcodeBadKey, dns.RcodeBadSig:
		t.TimeSigned = s.TSIG.TimeSigned
	}
	return t
}

func signInto(t *dns.TSIG, s *Signed, body []byte) error {
	secret, err := base64.StdEncoding.DecodeString(s.Key.Secret)
	if err != nil {
		return fmt.Errorf("tsig: key secret: %w", err)
	}
	reqMAC, err := hex.DecodeString(s.TSIG.MAC)
	if err != nil {
		return fmt.Errorf("tsig: request MAC: %w", err)
	}
	mac, err := computeMAC(t.Algorithm, secret, reqMAC, body, t)
	if err != nil {
		return err
	}
	t.MAC = hex.EncodeToString(mac)
	t.MACSize = uint16(len(mac))
	return nil
}

// appendTSIG appends t uncompressed to the packed message body and counts
// it in ARCOUNT.
func appendTSIG(body []byte, t *dns.TSIG) ([]byte, error) {
	if len(body) < 12 {
		return nil, errors.New("tsig: packed reply shorter than a header")
	}
	rr := make([]byte, dns.Len(t)+512)
	n, err := dns.PackRR(t, rr, 0, nil, false)
	if err != nil {
		return nil, fmt.Errorf("tsig: pack TSIG record: %w", err)
	}
	out := append(body, rr[:n]...)
	arcount := binary.BigEndian.Uint16(out[10:12])
	binary.BigEndian.PutUint16(out[10:12], arcount+1)
	return out, nil
}
