from conference_cli.main import main

raise SystemExit(main())
