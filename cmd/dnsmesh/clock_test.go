package main

import "time"

// timeNow is the test clock for record parsing.
func timeNow() time.Time { return time.Now() }
