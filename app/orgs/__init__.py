"""Social organisations (社会组织): the registry the street and district verify, the people who act for an
organisation, and its qualifications. Calls for service projects and the contests read it."""
