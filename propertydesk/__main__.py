from propertydesk.cli import main

raise SystemExit(main())
