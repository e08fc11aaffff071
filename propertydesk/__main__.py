from propertydesk.startlog import guarded_main

raise SystemExit(guarded_main())
