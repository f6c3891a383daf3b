import MeshctlCLI
Meshctl.main()
