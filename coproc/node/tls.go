package node

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// ServerTLSConfig loads a node's certificate and the CA that signs its clients' certificates. The
// node refuses clients without a certificate that CA signed.
func ServerTLSConfig(files TLSFiles) (*tls.Config, error) {
	cert, pool, err := loadTLSFiles(files)
	if err != nil {
		return nil, err
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientCAs:    pool,
		ClientAuth:   tls.RequireAndVerifyClientCert,
		MinVersion:   tls.VersionTLS12,
	}, nil
}

// ClientTLSConfig loads a coordinator's (or test client's) certificate and the CA that signs the
// nodes' certificates; serverName is the name the node's certificate must carry.
func ClientTLSConfig(files TLSFiles, serverName string) (*tls.Config, error) {
	cert, pool, err := loadTLSFiles(files)
	if err != nil {
		return nil, err
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		RootCAs:      pool,
		ServerName:   serverName,
		MinVersion:   tls.VersionTLS12,
	}, nil
}

func loadTLSFiles(files TLSFiles) (tls.Certificate, *x509.CertPool, error) {
	cert, err := tls.LoadX509KeyPair(files.CertFile, files.KeyFile)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("node: load TLS certificate: %w", err)
	}
	caPEM, err := os.ReadFile(files.CAFile)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("node: read TLS CA: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return tls.Certificate{}, nil, errors.New("node: TLS CA file holds no PEM certificate")
	}
	return cert, pool, nil
}
