# The full-record export reads the child rows themselves: the RowText cache goes.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0007_deleted_image_file'),
    ]

    operations = [
        migrations.DeleteModel(
            name='RowText',
        ),
    ]
