//go:build tools

// Package main pins the modules tcdind is built from until code imports them.
package main

import (
	_ "github.com/aws/aws-sdk-go-v2/config"
	_ "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	_ "github.com/aws/aws-sdk-go-v2/service/s3"
	_ "github.com/aymanbagabas/go-udiff"
	_ "github.com/charmbracelet/bubbles/viewport"
	_ "github.com/charmbracelet/bubbletea"
	_ "github.com/charmbracelet/huh"
	_ "github.com/charmbracelet/lipgloss"
	_ "github.com/charmbracelet/x/exp/teatest"
	_ "github.com/muesli/mango-cobra"
	_ "github.com/muesli/roff"
	_ "github.com/muesli/termenv"
	_ "github.com/spf13/cobra"
	_ "go.yaml.in/yaml/v3"
)
