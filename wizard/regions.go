package wizard

// Regions are the AWS regions tcdind knows (the SDK's partitions), each
// with its name, for the command line's completion.
func Regions() [][2]string { return append([][2]string(nil), sdkRegions...) }
