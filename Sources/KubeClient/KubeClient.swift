import Manifest

/// The cluster client: kubeconfig, authentication, HTTP over libcurl, and the API operations
/// meshctl needs (DESIGN.md §5). Being built; see the issue on talking to clusters.
public enum KubeClient {}
