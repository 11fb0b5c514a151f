from cm_advisor.cli import main

raise SystemExit(main())
