package node

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/copvec/copvec/coproc/coprocpb"
	"github.com/copvec/copvec/runtime/reftest"
)

// testCA is a throwaway certificate authority.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	file string
}

var serial int64 = 1

func newTestCA(t *testing.T, dir, name string) *testCA {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	serial++
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	file := filepath.Join(dir, name+".pem")
	require.NoError(t, os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	return &testCA{cert: cert, key: key, file: file}
}

// issue writes a certificate for name (valid for 127.0.0.1 and localhost) and its key, and returns
// TLS files with this CA as the trusted one.
func (ca *testCA) issue(t *testing.T, dir, name string, usage x509.ExtKeyUsage) TLSFiles {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	serial++
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	files := TLSFiles{CAFile: ca.file, CertFile: filepath.Join(dir, name+".crt"), KeyFile: filepath.Join(dir, name+".key")}
	require.NoError(t, os.WriteFile(files.CertFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(files.KeyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600))
	return files
}

// TestMutualTLS serves a node with mutual TLS: a client with a certificate from the node's CA is
// answered; clients without a certificate, with one from another CA, or without TLS are refused.
func TestMutualTLS(t *testing.T) {
	rng, _ := newRNG(t)
	dir := t.TempDir()
	ca := newTestCA(t, dir, "ca")
	other := newTestCA(t, dir, "other-ca")
	serverFiles := ca.issue(t, dir, "node", x509.ExtKeyUsageServerAuth)
	clientFiles := ca.issue(t, dir, "coordinator", x509.ExtKeyUsageClientAuth)
	strangerFiles := other.issue(t, dir, "stranger", x509.ExtKeyUsageClientAuth)

	f := newFixture(t, rng, 200, 2, Config{TLS: serverFiles})
	require.NoError(t, f.node.Start())
	addr := f.node.Addr().String()

	dial := func(creds credentials.TransportCredentials) (*grpc.ClientConn, coprocpb.CoprocessorClient) {
		conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(creds))
		require.NoError(t, err)
		t.Cleanup(func() { _ = conn.Close() })
		return conn, coprocpb.NewCoprocessorClient(conn)
	}
	q := query{root: scanPB(false), ranges: fullTableRange(), page: 17, startTS: ^uint64(0)}

	good, err := ClientTLSConfig(clientFiles, "localhost")
	require.NoError(t, err)
	_, client := dial(credentials.NewTLS(good))
	got, _, err := runQuery(context.Background(), func(ctx context.Context, r *coprocpb.Request) (*coprocpb.Response, error) {
		return client.Coprocessor(ctx, r)
	}, f.st.Regions(), q, nil)
	require.NoError(t, err)
	require.Empty(t, reftest.Diff(rowsIn(f.rows, fullTableRange()), got))

	refused := func(name string, creds credentials.TransportCredentials) {
		_, c := dial(creds)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err := c.ScanRegions(ctx, &coprocpb.ScanRegionsRequest{})
		require.Error(t, err, name)
		t.Logf("%s: %v", name, err)
	}
	noCert := good.Clone()
	noCert.Certificates = nil
	refused("no client certificate", credentials.NewTLS(noCert))
	stranger, err := ClientTLSConfig(strangerFiles, "localhost")
	require.NoError(t, err)
	stranger.RootCAs = good.RootCAs // trusts the node, but the node does not trust it
	refused("certificate from another CA", credentials.NewTLS(stranger))
	refused("plaintext", insecure.NewCredentials())

	// The node still serves the good client.
	resp, err := client.ScanRegions(context.Background(), &coprocpb.ScanRegionsRequest{})
	require.NoError(t, err)
	require.Len(t, resp.Regions, len(f.st.Regions()))
}

// TestRegionsRPCs lists regions in batches over gRPC and splits one.
func TestRegionsRPCs(t *testing.T) {
	rng, _ := newRNG(t)
	f := newFixture(t, rng, 300, 12, Config{})
	client, _ := serve(t, f.node)
	ctx := context.Background()
	all := f.st.Regions()
	var got []*coprocpb.Region
	var start []byte
	for {
		resp, err := client.ScanRegions(ctx, &coprocpb.ScanRegionsRequest{StartKey: start, Limit: 3})
		require.NoError(t, err)
		require.LessOrEqual(t, len(resp.Regions), 3)
		got = append(got, resp.Regions...)
		if len(resp.Regions) < 3 {
			break
		}
		last := resp.Regions[len(resp.Regions)-1]
		if len(last.EndKey) == 0 {
			break
		}
		start = last.EndKey
	}
	require.Len(t, got, len(all))
	for i, r := range all {
		require.Equal(t, r, regionFromPB(got[i]))
	}

	last := all[len(all)-1]
	key := append(append([]byte(nil), last.StartKey...), 0x7f, 0x01)
	ctxPB := &coprocpb.Context{RegionId: last.ID, RegionEpoch: &coprocpb.RegionEpoch{ConfVer: last.Epoch.ConfVer, Version: last.Epoch.Version}}
	resp, err := client.SplitRegion(ctx, &coprocpb.SplitRegionRequest{Context: ctxPB, SplitKey: key})
	require.NoError(t, err)
	require.Empty(t, resp.OtherError)
	require.Nil(t, resp.RegionError)
	require.Equal(t, key, resp.Right.StartKey)
	require.Equal(t, key, resp.Left.EndKey)
	// The same request again carries a stale epoch now.
	resp, err = client.SplitRegion(ctx, &coprocpb.SplitRegionRequest{Context: ctxPB, SplitKey: key})
	require.NoError(t, err)
	require.NotNil(t, resp.GetRegionError().GetEpochNotMatch(), "%v", resp)
}
