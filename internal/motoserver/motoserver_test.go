package motoserver

import (
	"net/http"
	"testing"
)

func TestStartStop(t *testing.T) {
	s := Start(t)
	resp, err := http.Get(s.URL + "/moto-api/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	s.Stop()
	if _, err := http.Get(s.URL + "/moto-api/"); err == nil {
		t.Errorf("moto_server still answers on %s after Stop", s.URL)
	}
}
